import Synchronization

/// At most one reset attempt per `http.reset_min_interval_ms`, counted over authenticated attempts so
/// an unauthenticated client cannot lock technicians out.
final class ResetRateLimiter: Sendable {
    private let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    let intervalMs: Int

    init(intervalMs: Int) {
        self.intervalMs = intervalMs
        self.interval = .milliseconds(intervalMs)
    }

    /// nil when the attempt may go ahead (and is counted); else how long to wait.
    func admit(now: ContinuousClock.Instant = .now) -> Duration? {
        last.withLock { last in
            if let previous = last, now - previous < interval { return interval - (now - previous) }
            last = now
            return nil
        }
    }
}
