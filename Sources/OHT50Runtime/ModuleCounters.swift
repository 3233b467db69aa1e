import OHT50Core
import Synchronization

/// Per-module transaction counters: the bus thread bumps them, reports read them.
public final class ModuleCounters: Sendable {
    public let transactions = Atomic<UInt64>(0)
    public let timeouts = Atomic<UInt64>(0)
    public let crcErrors = Atomic<UInt64>(0)
    public let exceptions = Atomic<UInt64>(0)
    public let otherErrors = Atomic<UInt64>(0)
    public let consecutiveFailures = Atomic<Int>(0)
    public let maxLatencyNs = Atomic<UInt64>(0)
    private let buckets: InlineArray<281, Atomic<UInt64>>

    public init() { buckets = InlineArray { _ in Atomic<UInt64>(0) } }

    func record(_ outcome: TransactionOutcomeClass, latencyNs: UInt64) {
        bump(transactions)
        switch outcome {
        case .ok: consecutiveFailures.store(0, ordering: .relaxed)
        case .timeout: bump(timeouts)
        case .crc: bump(crcErrors)
        case .exception: bump(exceptions)
        case .other: bump(otherErrors)
        }
        if outcome != .ok { consecutiveFailures.wrappingAdd(1, ordering: .relaxed) }
        bump(buckets[LatencyBuckets.index(nanoseconds: latencyNs)])
        if latencyNs > maxLatencyNs.load(ordering: .relaxed) { maxLatencyNs.store(latencyNs, ordering: .relaxed) }
    }

    private func bump(_ counter: borrowing Atomic<UInt64>) {
        counter.store(counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    public var latencyCounts: [UInt64] { (0..<LatencyBuckets.count).map { buckets[$0].load(ordering: .relaxed) } }
}

/// The error classes counters keep apart.
enum TransactionOutcomeClass: Equatable {
    case ok, timeout, crc, exception, other
}
