import OHT50Core
import OHT50Runtime

extension CommandChannel {
    /// Sends a command for an HTTP request (the request is its source) and turns a channel failure into
    /// the 503 the client gets.
    func send(_ kind: SafetyCommand.Kind, context: APIRequestContext, acknowledgingFeedback: Bool = false) async throws -> CommandReply {
        do {
            return try await send(
                kind, source: "http \(context.peer) request \(context.requestID)", acknowledgingFeedback: acknowledgingFeedback)
        } catch {
            let message =
                switch error {
                case .ringFull: "the safety thread's command queue is full; nothing was changed"
                case .timedOut: "the safety thread did not answer within 100 ms; the command was withdrawn and will not be carried out"
                case .takenWithoutReply:
                    "the safety thread took the command but did not answer; whether it took effect is unknown: read the safety status"
                }
            throw APIError(.serviceUnavailable, code: "safety_thread_unresponsive", message: message)
        }
    }
}
