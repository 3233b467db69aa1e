/// A request to the safety thread. Every field is plain data so it crosses the command ring as bytes.
///
/// A command says when it was queued and which trip and stop it was issued after: the safety thread
/// discards one older than the sender's wait bound or issued before the latest trip (a move also
/// before the latest stop), so a sender that gave up can say "not done and will not be done".
/// Stop is not a command: it is `MotionStopSignal`, read every cycle, never queued behind a move.
public struct SafetyCommand: Sendable, BitwiseCopyable, Equatable {
    public enum Kind: Sendable, BitwiseCopyable, Equatable {
        case reset
        case move(MotionRequest)

        public var name: String {
            switch self {
            case .reset: "reset"
            case .move: "move"
            }
        }
    }

    /// Chosen by the sender; the reply carries it back so the sender can match it.
    public var id: UInt32
    public var kind: Kind
    /// Monotonic nanoseconds when the sender queued it.
    public var queuedAt: UInt64
    /// `SafetyMachine.tripGeneration` as the sender last saw it published.
    public var tripGeneration: UInt16
    /// `MotionStopSignal.requests` when the sender queued it.
    public var stopRequests: UInt32
    /// A reset that acknowledges a latched contactor-feedback fault by name (`contactor_feedback`): the
    /// technician checked the relay and its feedback wire.
    public var acknowledgesFeedback: Bool

    public init(
        id: UInt32, kind: Kind, queuedAt: UInt64, tripGeneration: UInt16, stopRequests: UInt32, acknowledgesFeedback: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.queuedAt = queuedAt
        self.tripGeneration = tripGeneration
        self.stopRequests = stopRequests
        self.acknowledgesFeedback = acknowledgesFeedback
    }
}

public enum MotionDirection: UInt8, Sendable, BitwiseCopyable, CaseIterable {
    case forward = 1
    case reverse = 2

    public var name: String { self == .forward ? "forward" : "reverse" }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

public struct MotionRequest: Sendable, BitwiseCopyable, Equatable {
    /// 0–100 % of full speed.
    public var speedPercent: UInt8
    public var direction: MotionDirection

    public init(speedPercent: UInt8, direction: MotionDirection) {
        self.speedPercent = min(speedPercent, 100)
        self.direction = direction
    }
}
