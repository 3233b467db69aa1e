import OHT50Core
import OHT50Runtime

extension CommandChannel {
    /// Sends a command for an HTTP request (the request is its source) and turns a channel failure into
    /// the 503 the client gets.
    func send(_ kind: SafetyCommand.Kind, context: APIRequestContext) async throws -> CommandReply {
        do {
            return try await send(kind, source: "http \(context.peer) request \(context.requestID)")
        } catch {
            throw APIError(
                .serviceUnavailable, code: "safety_thread_unresponsive",
                message: error == .ringFull
                    ? "the safety thread's command queue is full; nothing was changed"
                    : "the safety thread did not answer within 100 ms; the command may still take effect, read the status before retrying")
        }
    }
}
