import OHT50Core
import Synchronization

/// Counters the safety thread bumps (relaxed atomics, single writer) and non-RT code reads.
public final class LoopStatistics: Sendable {
    public let cycles = Atomic<UInt64>(0)
    /// Cycles that woke more than one period late.
    public let overruns = Atomic<UInt64>(0)
    /// Cycles that began more than `safety.max_stall_ms` after the previous one.
    public let stalls = Atomic<UInt64>(0)
    /// Monotonic time of the last completed cycle: the heartbeat `Liveness` looks at.
    public let lastCycleAt = Atomic<UInt64>(0)
    /// Time past each cycle's absolute deadline.
    public let wakeUpLatency = LatencyHistogram()

    public init() {}
}
