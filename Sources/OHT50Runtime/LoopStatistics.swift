import OHT50Core
import Synchronization

/// Counters the safety thread bumps (relaxed atomics, single writer) and non-RT code reads.
public final class LoopStatistics: Sendable {
    public let cycles = Atomic<UInt64>(0)
    /// Cycles that woke more than one period late.
    public let overruns = Atomic<UInt64>(0)
    /// Cycles that began more than `safety.max_stall_ms` after the previous one.
    public let stalls = Atomic<UInt64>(0)
    public let maxLatencyNs = Atomic<UInt64>(0)
    /// Sum of all wake-up latencies, for the Prometheus histogram's `_sum`.
    public let totalLatencyNs = Atomic<UInt64>(0)
    /// Monotonic time of the last completed cycle: the heartbeat health and the watchdog look at.
    public let lastCycleAt = Atomic<UInt64>(0)
    private let buckets: InlineArray<281, Atomic<UInt64>>

    public init() {
        precondition(LatencyBuckets.count == 281)
        buckets = InlineArray { _ in Atomic<UInt64>(0) }
    }

    /// RT side: one writer, so load + store instead of a read-modify-write.
    @inline(__always)
    func recordWakeUp(latencyNs: UInt64) {
        bump(buckets[LatencyBuckets.index(nanoseconds: latencyNs)])
        totalLatencyNs.store(totalLatencyNs.load(ordering: .relaxed) &+ latencyNs, ordering: .relaxed)
        if latencyNs > maxLatencyNs.load(ordering: .relaxed) { maxLatencyNs.store(latencyNs, ordering: .relaxed) }
    }

    @inline(__always)
    func bump(_ counter: borrowing Atomic<UInt64>) {
        counter.store(counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// Non-RT side: a copy of the histogram.
    public var latencyCounts: [UInt64] {
        (0..<LatencyBuckets.count).map { buckets[$0].load(ordering: .relaxed) }
    }
}
