import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

/// `mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)`: no page of the process is ever paged out, and
/// pages are locked as they are first touched rather than all populated up front. Without ONFAULT every
/// mapping is faulted in whole: each thread's 8 MiB default stack (and, before issue 30, the 38 MiB ICU
/// data library) made the daemon's RSS 144 MB. What the RT threads touch is touched before they run: their stacks are
/// mapped and locked by `RealtimeThread`, the rings are written once when they are created, and the
/// code and constant data of the binary and its libraries are populated by `populateFileMappings`,
/// so the first run of a rarely taken branch on an RT thread is not a page fault that reads the disk.
public enum MemoryLock {
    /// Linux 4.4+; not every libc header exports it.
    static let onFault: Int32 = 4

    public static func lockAll() throws(SystemCallError) {
        let flags = MCL_CURRENT | MCL_FUTURE
        if mlockall(flags | onFault) == 0 { return }
        // A kernel before 4.4 rejects ONFAULT: lock everything up front as before.
        if errno != EINVAL { throw SystemCallError(call: "mlockall", subject: "MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT", errno: errno) }
        try SystemCallError.retrying("mlockall", "MCL_CURRENT|MCL_FUTURE") { mlockall(flags) }
    }

    /// Populates and locks every file-backed mapping (code, constants, metadata: the binary with the
    /// Swift runtime linked in, libc, libstdc++, libmodbus, libgpiod) but libsqlite3 and libyaml, which
    /// no RT thread calls (the stores write on the async side; the config is read before the threads
    /// start): 1.5 MB not locked for nothing. A writable mapping larger than `largestWritable` is left
    /// out too (the ICU tables of 38 MiB were, before issue 30; pages of such a mapping still lock when
    /// first touched). Returns the bytes it locked. Runs once at start, off the RT threads.
    @discardableResult
    public static func populateFileMappings(
        skipping skipped: [String] = ["libsqlite3", "libyaml"], largestWritable: Int = 16 << 20
    ) -> Int {
        guard let maps = fopen("/proc/self/maps", "r") else { return 0 }
        defer { fclose(maps) }
        var locked = 0
        var line = [CChar](repeating: 0, count: 4_096)
        while fgets(&line, Int32(line.count), maps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
            let path = String(fields[5].prefix { $0 != "\n" })
            guard fields[1].hasPrefix("r"), !skipped.contains(where: { path.contains($0) }) else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                let address = UnsafeRawPointer(bitPattern: start)
            else { continue }
            if fields[1].hasPrefix("rw") && Int(end - start) > largestWritable { continue }
            if mlock(address, Int(end - start)) == 0 { locked += Int(end - start) }
        }
        return locked
    }
}
