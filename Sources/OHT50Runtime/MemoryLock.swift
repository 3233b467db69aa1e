#if canImport(Glibc)
import Glibc
#endif
import OHT50IO

/// `mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)`: no page of the process is ever paged out, and
/// pages are locked as they are first touched rather than all populated up front. Without ONFAULT every
/// mapping is faulted in whole: each thread's 8 MiB default stack and the 38 MiB ICU data library made
/// the daemon's RSS 144 MB. What the RT threads touch is touched before they run: their stacks are
/// mapped and locked by `RealtimeThread`, the rings are written once when they are created.
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
}
