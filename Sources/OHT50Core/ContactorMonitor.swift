/// The motion-enable relay's feedback contact (EDM) against what the output was told: after the output
/// turns on the relay must show pulled in within `pull_in_ms`, after it turns off dropped out within
/// `drop_out_ms`. Pure: the safety machine steps it once per cycle, before the cycle's outputs.
public struct ContactorMonitor: Sendable, BitwiseCopyable, Equatable {
    /// What the feedback contact says.
    public enum Reading: UInt8, Sendable, BitwiseCopyable {
        /// The NC contact is closed: the relay's contacts are open.
        case droppedOut
        case pulledIn
        case unreadable

        public var name: String {
            switch self {
            case .droppedOut: "dropped_out"
            case .pulledIn: "pulled_in"
            case .unreadable: "unreadable"
            }
        }

        /// The feedback line is read like an E-stop line: its active level (after `active_low`) is
        /// "NC contact closed", i.e. dropped out.
        public init(_ sample: EStopSample) {
            switch sample.level {
            case .pressed: self = .droppedOut
            case .released: self = .pulledIn
            case .unreadable: self = .unreadable
            }
        }
    }

    /// A mismatch past its time: `output_fault`, with which one it is.
    public enum Fault: UInt8, Sendable, BitwiseCopyable {
        case none
        /// Output off, feedback still pulled in after `drop_out_ms`: a welded or stuck contact.
        case notDroppedOut
        /// Output on, feedback still dropped out after `pull_in_ms`: a dead coil or a broken wire.
        case notPulledIn
        /// The feedback line cannot be read: the output cannot be checked.
        case unreadable

        /// The fault named as `name` gives it ("not_pulled_in"), nil for any other text.
        public init?(name: String) {
            guard let fault = [Fault.none, .notDroppedOut, .notPulledIn, .unreadable].first(where: { $0.name == name }) else { return nil }
            self = fault
        }

        public var name: String {
            switch self {
            case .none: "none"
            case .notDroppedOut: "not_dropped_out"
            case .notPulledIn: "not_pulled_in"
            case .unreadable: "unreadable"
            }
        }
    }

    public let pullInNs: UInt64
    public let dropOutNs: UInt64
    /// Motion-enable as the last cycle drove it, and since when.
    public private(set) var commanded = false
    public private(set) var commandedSince: UInt64
    public private(set) var reading = Reading.unreadable
    /// The latched fault: the last mismatch seen, kept when the output is off again and the feedback
    /// agrees (a feedback stuck dropped out agrees with an output that is off). Only `acknowledge` clears
    /// it (DESIGN "Single faults").
    public private(set) var fault = Fault.none
    /// The mismatch as this cycle's reading shows it, `.none` when the feedback agrees now.
    public private(set) var present = Fault.none

    public init(pullInNs: UInt64, dropOutNs: UInt64, now: UInt64) {
        self.pullInNs = pullInNs
        self.dropOutNs = dropOutNs
        self.commandedSince = now
    }

    /// How long the output has been in its current state.
    public func commandedFor(now: UInt64) -> UInt64 { now >= commandedSince ? now - commandedSince : 0 }

    /// Judges this cycle's reading against the output as driven so far.
    public mutating func observe(_ sample: EStopSample, now: UInt64) {
        reading = Reading(sample)
        let age = commandedFor(now: now)
        switch (reading, commanded) {
        case (.unreadable, _): present = .unreadable
        case (.pulledIn, false) where age > dropOutNs: present = .notDroppedOut
        case (.droppedOut, true) where age > pullInNs: present = .notPulledIn
        default: present = .none
        }
        if present != .none { fault = present }
    }

    /// A technician's acknowledgement (a reset that names `contactor_feedback`): the latched fault is
    /// cleared unless the mismatch is still present. Returns the fault it cleared, `.none` when none.
    /// A fault latched before a restart: it needs its acknowledgement again.
    public mutating func restore(_ fault: Fault) {
        if fault != .none { self.fault = fault }
    }

    /// Undoes `acknowledge` when the reset that carried it was refused.
    mutating func relatch(_ fault: Fault) {
        if self.fault == .none { self.fault = fault }
    }

    public mutating func acknowledge() -> Fault {
        guard fault != .none, present == .none else { return .none }
        defer { fault = .none }
        return fault
    }

    /// The output as this cycle drives it.
    public mutating func drive(_ on: Bool, now: UInt64) {
        if on != commanded {
            commanded = on
            commandedSince = now
        }
    }
}
