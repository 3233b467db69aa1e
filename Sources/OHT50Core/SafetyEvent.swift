/// Something the safety thread did that must be recorded. Plain data: it crosses the events ring.
public struct SafetyEvent: Sendable, BitwiseCopyable, Equatable {
    /// The safety thread's events are the first six `EventKind`s.
    public typealias Kind = EventKind

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
    /// For an `estop` trip: the input backend's timestamp of the press edge (the kernel's, for gpiod),
    /// monotonic ns; 0 when the backend has none (sysfs polls levels).
    public var estopEdgeAt: UInt64 = 0
    /// For a trip of a two-channel E-stop: which channels were open (bit 0 the first, bit 1 the second).
    public var estopChannelsOpen: UInt8 = 0
    /// For an `output_fault` trip from the contactor's feedback: which mismatch.
    public var feedbackFault: ContactorMonitor.Fault = .none
    /// For a reset: the latched contactor-feedback fault it acknowledged (and cleared).
    public var acknowledgedFeedback: ContactorMonitor.Fault = .none

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

extension SafetyEvent {
    /// "estop_edge_ns=… edge_to_trip_us=…" for a trip the input backend timestamped, else nil.
    public var estopEdgeDetail: String? {
        guard kind == .trip, estopEdgeAt != 0 else { return nil }
        let lag = at >= estopEdgeAt ? (at - estopEdgeAt) / 1_000 : 0
        return "estop_edge_ns=\(estopEdgeAt) edge_to_trip_us=\(lag)"
    }

    /// The trip's details as logfmt fields (edge time, open channels, feedback mismatch), or what a reset
    /// acknowledged; nil when none.
    public var tripDetail: String? {
        if acknowledgedFeedback != .none { return "acknowledged=contactor_feedback feedback=\(acknowledgedFeedback.name)" }
        guard kind == .trip else { return nil }
        var parts: [String] = []
        if let edge = estopEdgeDetail { parts.append(edge) }
        if let channels = estopChannelsDetail { parts.append("estop_channels_open=\(channels)") }
        if feedbackFault != .none { parts.append("feedback=\(feedbackFault.name)") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// "1", "2" or "1,2": the channels of a two-channel E-stop open at the trip; nil for one channel.
    public var estopChannelsDetail: String? {
        guard estopChannelsOpen != 0 else { return nil }
        return [1, 2].filter { estopChannelsOpen & (1 << ($0 - 1)) != 0 }.map(String.init).joined(separator: ",")
    }
}
