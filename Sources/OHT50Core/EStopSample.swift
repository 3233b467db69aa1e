/// What the E-stop input said this cycle.
public struct EStopSample: Sendable, BitwiseCopyable, Equatable {
    public enum Level: UInt8, Sendable, BitwiseCopyable {
        case released
        case pressed
        /// The input could not be read: a trip (`input_fault`), never "released".
        case unreadable
    }

    public var level: Level
    /// A press was seen since the previous cycle even if the line reads released now
    /// (an edge event or a latch in the backend): a press shorter than one cycle still trips.
    public var pressEdge: Bool
    /// The raw line value as read (before active-low inversion), -1 when unreadable.
    public var raw: Int8
    /// When the backend knows it: the timestamp of the first press edge since the previous cycle
    /// (the kernel's event timestamp for `gpiod`, CLOCK_MONOTONIC ns), 0 when unknown or none.
    public var edgeAt: UInt64

    public init(level: Level, pressEdge: Bool = false, raw: Int8, edgeAt: UInt64 = 0) {
        self.level = level
        self.pressEdge = pressEdge
        self.raw = raw
        self.edgeAt = edgeAt
    }

    public static func reading(raw: Int8, activeLow: Bool) -> EStopSample {
        let pressed = activeLow ? raw == 0 : raw == 1
        return EStopSample(level: pressed ? .pressed : .released, raw: raw)
    }

    public static let unreadable = EStopSample(level: .unreadable, raw: -1)

    /// Two channels as one E-stop: pressed when either is, unreadable when either is, the earliest edge;
    /// the raw value is this (the first) channel's. Without a second channel, this sample.
    public func combined(with second: EStopSample?) -> EStopSample {
        guard let second else { return self }
        var both = self
        if level == .unreadable || second.level == .unreadable {
            both.level = .unreadable
        } else if level == .pressed || second.level == .pressed {
            both.level = .pressed
        }
        both.pressEdge = pressEdge || second.pressEdge
        if edgeAt == 0 || (second.edgeAt != 0 && second.edgeAt < edgeAt) { both.edgeAt = second.edgeAt }
        return both
    }

    /// The press edge of one cycle from a line's edge events (kernel timestamps, 0 for none): the first
    /// event typed as a press, or — when the line read released at the previous cycle and reads released
    /// now — the first event of any type. The kernel types a both-edge event by the level its interrupt
    /// thread reads afterwards, so a press shorter than that thread's latency arrives as two events of the
    /// release's type, or as one; released before and after with an event between is a press either way.
    /// Released now after pressed before is a real release, not a press.
    public static func pressEdgeAt(pressEventAt: UInt64, anyEventAt: UInt64, releasedBefore: Bool, releasedNow: Bool) -> UInt64 {
        if pressEventAt != 0 { return pressEventAt }
        return releasedBefore && releasedNow ? anyEventAt : 0
    }
}
