import OHT50Core
import Synchronization

/// Latencies in `LatencyBuckets`' 281 fixed buckets, with their maximum and sum: one RT thread records
/// (relaxed atomics, single writer, no allocation), reports and `/metrics` read. The safety loop's wake-up
/// latency and each module's transaction latency are one of these.
public final class LatencyHistogram: Sendable {
    private let buckets: InlineArray<281, Atomic<UInt64>>
    private let maxNs = Atomic<UInt64>(0)
    private let totalNs = Atomic<UInt64>(0)

    public init() {
        precondition(LatencyBuckets.count == 281)
        buckets = InlineArray { _ in Atomic<UInt64>(0) }
    }

    /// RT side, one writer.
    @inline(__always)
    func record(nanoseconds: UInt64) {
        buckets[LatencyBuckets.index(nanoseconds: nanoseconds)].incrementBySingleWriter()
        totalNs.store(totalNs.load(ordering: .relaxed) &+ nanoseconds, ordering: .relaxed)
        if nanoseconds > maxNs.load(ordering: .relaxed) { maxNs.store(nanoseconds, ordering: .relaxed) }
    }

    /// A copy of the bucket counts.
    public var counts: [UInt64] { (0..<LatencyBuckets.count).map { buckets[$0].load(ordering: .relaxed) } }
    public var maxNanoseconds: UInt64 { maxNs.load(ordering: .relaxed) }
    public var totalNanoseconds: UInt64 { totalNs.load(ordering: .relaxed) }
}

extension Atomic where Value == UInt64 {
    /// Load + store instead of a read-modify-write: only correct when one thread writes the counter.
    @inline(__always)
    func incrementBySingleWriter() { store(load(ordering: .relaxed) &+ 1, ordering: .relaxed) }
}
