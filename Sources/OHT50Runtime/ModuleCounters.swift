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
    /// A leaky count of failures: each failure adds 2, each success takes 1 away (never below 0). A link
    /// that fails every other frame fills it; an isolated error (0.1 %) drains. `comm_loss` is this level
    /// at `2 × bus.comm_loss_after`: from empty, exactly `comm_loss_after` consecutive failures.
    public let failureLevel = Atomic<Int>(0)
    public static let failureWeight = 2
    /// Request to reply (or to the timeout) of every transaction.
    public let latency = LatencyHistogram()

    public init() {}

    func record(_ outcome: TransactionOutcomeClass, latencyNs: UInt64) {
        transactions.incrementBySingleWriter()
        switch outcome {
        case .ok:
            consecutiveFailures.store(0, ordering: .relaxed)
            failureLevel.store(max(0, failureLevel.load(ordering: .relaxed) - 1), ordering: .relaxed)
        case .timeout: timeouts.incrementBySingleWriter()
        case .crc: crcErrors.incrementBySingleWriter()
        case .exception: exceptions.incrementBySingleWriter()
        case .other: otherErrors.incrementBySingleWriter()
        }
        if outcome != .ok {
            consecutiveFailures.wrappingAdd(1, ordering: .relaxed)
            failureLevel.wrappingAdd(Self.failureWeight, ordering: .relaxed)
        }
        latency.record(nanoseconds: latencyNs)
    }

    /// Whether the leaky count has reached `comm_loss` for a link allowed `commLossAfter` failures in a row.
    public func isCommLoss(after commLossAfter: Int) -> Bool {
        failureLevel.load(ordering: .relaxed) >= Self.failureWeight * commLossAfter
    }

    /// The port was lost: the module counts as failed `commLossAfter` times in a row at least.
    func markLost(after commLossAfter: Int) {
        consecutiveFailures.store(max(commLossAfter, consecutiveFailures.load(ordering: .relaxed)), ordering: .relaxed)
        failureLevel.store(max(Self.failureWeight * commLossAfter, failureLevel.load(ordering: .relaxed)), ordering: .relaxed)
    }
}

/// The error classes counters keep apart.
enum TransactionOutcomeClass: Equatable {
    case ok, timeout, crc, exception, other
}
