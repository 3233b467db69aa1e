import FoundationEssentials
import Hummingbird
import Logging
import OHT50Core
import OHT50Runtime
import OHT50Store

/// `/api/v1/safety/status` and `/api/v1/safety/reset`. A reset goes to the safety thread through the
/// command ring like every command; this controller only authenticates, rate-limits and reports.
struct SafetyController: Sendable {
    let loop: SafetyLoopView
    let channel: CommandChannel
    let token: BearerToken?
    let limiter: ResetRateLimiter
    let journal: EventJournal?
    let logger: Logger

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/safety/status") { _, _ in try self.status() }
        router.post("/api/v1/safety/reset") { request, context in try await self.reset(request, context: context) }
    }

    private func status() throws -> Response { try JSONResponse.make(SafetyStatusReport(loop)) }

    private func reset(_ request: Request, context: APIRequestContext) async throws -> Response {
        // No body, or {"acknowledge": ["contactor_feedback"]}; anything over the 4 KiB limit is refused (413)
        // without reading it all.
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        try Authorization.require(token, request: request, logger: logger, context: context)
        let acknowledgesFeedback = try Self.parseAcknowledgements(body)
        if let wait = limiter.admit() {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "resets are limited to one per \(limiterIntervalText); try again in \(seconds) s",
                headers: [.retryAfter: "\(seconds)"])
        }
        let reply = try await channel.send(.reset, context: context, acknowledgingFeedback: acknowledgesFeedback)
        // Every attempt is an event; the answer leaves only once that event is on disk (or known lost),
        // and says which.
        let stored: Bool
        switch await journal?.waitUntilCommitted(commandID: reply.id) {
        case .committed?: stored = true
        case .lost?, .timedOut?, nil: stored = false
        }
        if !stored {
            logger.error(
                "reset \(reply.accepted ? "accepted" : "refused") but its event was not stored",
                metadata: ["request_id": "\(context.requestID)"])
        }
        guard reply.accepted else {
            var refused = APIError.refused("reset_refused", "reset refused", reply.refusal, resetReleaseNs: loop.timings.resetReleaseNs)
            refused.eventStored = stored
            throw refused
        }
        var answer = SafetyStatusReport(loop)
        answer.eventStored = stored
        return try JSONResponse.make(answer)
    }

    private var limiterIntervalText: String { "\(limiter.intervalMs) ms" }

    /// The faults a technician acknowledges with the reset, by name: today only `contactor_feedback` (a
    /// latched fault of the motion-enable relay's feedback). An empty body acknowledges nothing.
    static let acknowledgeable = ["contactor_feedback"]

    static func parseAcknowledgements(_ body: ByteBuffer) throws -> Bool {
        let text = String(buffer: body)
        if text.allSatisfy(\.isWhitespace) { return false }
        let expected = "expected no body, or {\"acknowledge\": [\"contactor_feedback\"]}"
        let object: [String: [String]]
        do {
            object = try JSONDecoder().decode([String: [String]].self, from: Data(buffer: body))
        } catch DecodingError.dataCorrupted {
            throw APIError(.badRequest, code: "malformed_json", message: "the body is not valid JSON; \(expected)")
        } catch {
            throw APIError(.badRequest, code: "bad_request", message: "the body must be a JSON object with a list of names; \(expected)")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "acknowledge" }) {
            throw APIError(.badRequest, code: "unknown_field", message: "field \"\(unknown)\" is not known; allowed: acknowledge")
        }
        let names = object["acknowledge"] ?? []
        if let unknown = names.first(where: { !acknowledgeable.contains($0) }) {
            throw APIError(
                .badRequest, code: "invalid_field",
                message: "field \"acknowledge\" names \"\(unknown)\", which is not a fault a reset acknowledges; allowed: "
                    + acknowledgeable.joined(separator: ", "))
        }
        return names.contains("contactor_feedback")
    }
}
