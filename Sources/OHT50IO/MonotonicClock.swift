#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: the only time base the safety thread uses.
public enum MonotonicClock {
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Wall-clock time for a monotonic instant, as seconds since 1970, for reports.
    public static func wallSeconds(ofMonotonic t: UInt64) -> Double {
        var real = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        let nowMono = now()
        let realNow = Double(real.tv_sec) + Double(real.tv_nsec) / 1e9
        return realNow - (Double(nowMono) - Double(t)) / 1e9
    }
}
