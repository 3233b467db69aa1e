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

    /// Sleeps until the absolute monotonic time `deadline` (ns), through signals: an RT loop's deadlines
    /// stay on the grid whatever a wake-up cost. Allocation-free; for the RT threads.
    @inline(__always)
    public static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
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
