/// Something the safety thread did that must be recorded. Plain data: it crosses the events ring.
public struct SafetyEvent: Sendable, BitwiseCopyable, Equatable {
    public enum Kind: UInt8, Sendable, BitwiseCopyable {
        case trip
        case stateChange
        case resetAccepted
        case resetRefused
        case leaseExpired

        public var name: String {
            switch self {
            case .trip: "trip"
            case .stateChange: "state_change"
            case .resetAccepted: "reset_accepted"
            case .resetRefused: "reset_refused"
            case .leaseExpired: "lease_expired"
            }
        }
    }

    public var kind: Kind
    /// Monotonic nanoseconds of the cycle that produced it.
    public var at: UInt64
    public var from: SafetyState
    public var to: SafetyState
    /// For `trip`: the causes that became active. For refusals: the causes that blocked.
    public var causes: TripCauses
    public var refusal: CommandRefusal.Reasons
    /// The command that produced it, 0 when none did.
    public var commandID: UInt32

    public init(
        kind: Kind, at: UInt64, from: SafetyState, to: SafetyState, causes: TripCauses = [],
        refusal: CommandRefusal.Reasons = [], commandID: UInt32 = 0
    ) {
        self.kind = kind
        self.at = at
        self.from = from
        self.to = to
        self.causes = causes
        self.refusal = refusal
        self.commandID = commandID
    }
}
