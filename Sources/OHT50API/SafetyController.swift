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
        // A reset takes no body; anything over the 4 KiB limit is refused (413) without reading it all.
        _ = try await request.body.collect(upTo: context.maxUploadSize)
        try Authorization.require(token, request: request, logger: logger, context: context)
        if let wait = limiter.admit() {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "resets are limited to one per \(limiterIntervalText); try again in \(seconds) s",
                headers: [.retryAfter: "\(seconds)"])
        }
        let reply = try await channel.send(.reset, context: context)
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
}
