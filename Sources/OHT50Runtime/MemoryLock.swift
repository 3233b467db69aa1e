#if canImport(Glibc)
import Glibc
#endif
import OHT50IO

/// `mlockall(MCL_CURRENT | MCL_FUTURE)`: no page of the process, RT stacks included, is paged out or
/// faulted in lazily once locked.
public enum MemoryLock {
    public static func lockAll() throws(SystemCallError) {
        try SystemCallError.retrying("mlockall", "MCL_CURRENT|MCL_FUTURE") { mlockall(MCL_CURRENT | MCL_FUTURE) }
    }
}
