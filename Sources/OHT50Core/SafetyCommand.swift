/// A request to the safety thread. Every field is plain data so it crosses the command ring as bytes.
public struct SafetyCommand: Sendable, BitwiseCopyable, Equatable {
    public enum Kind: Sendable, BitwiseCopyable, Equatable {
        case reset
        case move(MotionRequest)
        case stop
    }

    /// Chosen by the sender; the reply carries it back so the sender can match it.
    public var id: UInt32
    public var kind: Kind

    public init(id: UInt32, kind: Kind) {
        self.id = id
        self.kind = kind
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
