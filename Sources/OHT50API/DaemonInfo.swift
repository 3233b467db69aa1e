import OHT50Runtime

/// Facts about this run of the daemon that reports include.
public struct DaemonInfo: Sendable {
    public var startedAt: UInt64
    public var scheduling: SchedulingResult
    public var memoryLocked: Bool

    public init(startedAt: UInt64, scheduling: SchedulingResult, memoryLocked: Bool) {
        self.startedAt = startedAt
        self.scheduling = scheduling
        self.memoryLocked = memoryLocked
    }
}
