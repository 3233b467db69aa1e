/// What one step of the state machine decided.
public struct SafetyStep: Sendable, BitwiseCopyable {
    public var outputs: SafetyOutputs
    public var events: SafetyEvents
    /// The answer to the cycle's command, if it carried one.
    public var reply: CommandReply?

    public init(outputs: SafetyOutputs, events: SafetyEvents, reply: CommandReply?) {
        self.outputs = outputs
        self.events = events
        self.reply = reply
    }
}
