/// How the RT thread actually runs, for health reports: SCHED_FIFO may have been refused.
public struct SchedulingResult: Sendable, Equatable {
    public var policy: String
    public var priority: Int32
    /// SCHED_FIFO was granted.
    public var realtime: Bool
    /// Why it was not, when it was not.
    public var fallbackReason: String?

    public init(policy: String, priority: Int32, realtime: Bool, fallbackReason: String? = nil) {
        self.policy = policy
        self.priority = priority
        self.realtime = realtime
        self.fallbackReason = fallbackReason
    }
}
