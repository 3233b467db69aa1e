/// The safety thread's answer to one command, matched to it by `id`.
public struct CommandReply: Sendable, BitwiseCopyable, Equatable {
    public var id: UInt32
    public var accepted: Bool
    /// Meaningful only when not accepted.
    public var refusal: CommandRefusal
    /// The state after the command was handled.
    public var state: SafetyState

    public init(id: UInt32, accepted: Bool, refusal: CommandRefusal, state: SafetyState) {
        self.id = id
        self.accepted = accepted
        self.refusal = refusal
        self.state = state
    }
}
