import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// Who holds a serial port, for "in use by oht50d (pid 1234)" messages: the process with the `flock`
/// on it (from /proc/locks), else any process that has it open (from /proc/*/fd).
public enum PortHolder {
    public static func describe(_ path: String) -> String? {
        lockHolder(path).map(name) ?? openers(path)
    }

    /// /proc/locks lines read "1: FLOCK  ADVISORY  WRITE 1234 00:19:5 0 EOF": pid, then the file's
    /// device (hex major:minor) and inode.
    static func lockHolder(_ path: String) -> Int32? {
        var info = stat()
        guard stat(path, &info) == 0, let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // glibc's major()/minor() are macros Swift cannot import; this is their definition.
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~UInt64(0xFFF))
        let minor = (dev & 0xFF) | ((dev >> 12) & ~UInt64(0xFF))
        let device = String(printf: "%02llx:%02llx:%llu", major, minor, UInt64(info.st_ino))
        for line in locks.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == device else { continue }
            return Int32(fields[4])
        }
        return nil
    }

    static func name(_ pid: Int32) -> String {
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmed
        return "\(comm ?? "unknown") (pid \(pid))"
    }

    /// Where a port's link points (`/dev/ttyOHT485` → `/dev/ttyS1`), relative links resolved; the
    /// path itself when it is no link.
    public static func target(of path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
            $0.hasPrefix("/") ? $0 : PathName.join(PathName.directory(of: path), $0)
        } ?? path
    }

    static func openers(_ path: String) -> String? {
        let target = target(of: path)
        let me = ProcessInfo.processInfo.processIdentifier
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids.compactMap(Int32.init) where pid != me {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
                if link == target || link == path { return name(pid) }
            }
        }
        return nil
    }
}
