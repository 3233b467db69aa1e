/// Every reason a command was (or would be) refused. A refusal lists all of them, never just the first.
public struct CommandRefusal: Sendable, BitwiseCopyable, Equatable {
    public struct Reasons: OptionSet, Sendable, BitwiseCopyable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// A reset is accepted only from `latched`.
        public static let stateNotLatched = Reasons(rawValue: 1 << 0)
        /// A move is accepted only in `ready` or `moving`.
        public static let stateNotReady = Reasons(rawValue: 1 << 1)
        /// The E-stop has not read released continuously for `safety.reset_release_ms`.
        public static let releaseTooShort = Reasons(rawValue: 1 << 2)
        /// A required bus module is not answering or not healthy.
        public static let moduleUnhealthy = Reasons(rawValue: 1 << 3)
        /// A drive has not yet read back its last stop (enable 0, speed 0): it may still be turning.
        public static let driveStopUnconfirmed = Reasons(rawValue: 1 << 4)
        /// The command waited longer than its sender's bound (100 ms), or its sender gave up: it was
        /// answered 503 and is not carried out.
        public static let commandExpired = Reasons(rawValue: 1 << 5)
        /// A trip happened after the command was sent: what it was judged on is no longer true.
        public static let issuedBeforeTrip = Reasons(rawValue: 1 << 6)
        /// A move sent before the latest stop request: the stop wins.
        public static let issuedBeforeStop = Reasons(rawValue: 1 << 7)
        /// The motion-enable relay's feedback does not show it dropped out: it may be welded.
        public static let contactorNotDroppedOut = Reasons(rawValue: 1 << 8)

        /// The reasons that discard a command without judging it.
        public static let stale = Reasons(rawValue: commandExpired.rawValue | issuedBeforeTrip.rawValue | issuedBeforeStop.rawValue)
    }

    public var reasons: Reasons
    /// Trip causes active when the command was judged; each one blocks it.
    public var activeCauses: TripCauses
    /// The state the command found.
    public var state: SafetyState
    /// With `.releaseTooShort`: how much longer the line must stay released.
    public var releaseRemainingNs: UInt64
    /// With `output_fault` from the contactor's feedback: which mismatch it is.
    public var feedbackFault: ContactorMonitor.Fault = .none

    public init(
        reasons: Reasons, activeCauses: TripCauses, state: SafetyState, releaseRemainingNs: UInt64 = 0,
        feedbackFault: ContactorMonitor.Fault = .none
    ) {
        self.reasons = reasons
        self.activeCauses = activeCauses
        self.state = state
        self.releaseRemainingNs = releaseRemainingNs
        self.feedbackFault = feedbackFault
    }

    public var isEmpty: Bool { reasons.isEmpty && activeCauses.isEmpty }
}
