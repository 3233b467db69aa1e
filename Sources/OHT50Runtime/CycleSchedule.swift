/// The safety thread's absolute deadlines: one period apart, so a late wake-up does not shift the grid.
/// A wake-up a whole period late or more is an overrun: the grid is re-anchored at that wake-up, so the
/// missed cycles are not replayed in a burst (a burst would run many cycles on one stale reading).
struct CycleSchedule {
    let period: UInt64
    /// When the next cycle is due (monotonic ns).
    private(set) var deadline: UInt64

    init(start: UInt64, period: UInt64) {
        self.period = period
        deadline = start &+ period
    }

    /// The thread woke at `woke` for `deadline`: how late it is, whether that is an overrun, and the
    /// next deadline set.
    @inline(__always)
    mutating func woke(at woke: UInt64) -> (lateNs: UInt64, overrun: Bool) {
        let late = woke > deadline ? woke - deadline : 0
        let overrun = late >= period
        deadline = (overrun ? woke : deadline) &+ period
        return (late, overrun)
    }
}
