/// The states of DESIGN "Safety state machine". Only `ready` and `moving` close the safety chain.
public enum SafetyState: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    /// Boot: held until the first healthy cycles; never left towards `ready`.
    case initializing
    case estop
    case fault
    case latched
    case ready
    case moving
    case shutdown

    /// The name used on the wire, in logs and in events.
    public var name: String {
        switch self {
        case .initializing: "init"
        case .estop: "estop"
        case .fault: "fault"
        case .latched: "latched"
        case .ready: "ready"
        case .moving: "moving"
        case .shutdown: "shutdown"
        }
    }

    /// Motion-enable is on only here; motion itself still needs a move command.
    public var permitsMotion: Bool { self == .ready || self == .moving }

    /// A tripped vehicle waiting for a technician: pressed, faulted or latched.
    public var isLatched: Bool { self == .estop || self == .fault || self == .latched }
}
