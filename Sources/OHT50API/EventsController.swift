import Hummingbird
import OHT50Store

/// `GET /api/v1/events?after=ID&limit=N[&wait_ms=M]`: the persisted event log, oldest first, so the
/// backend can follow it without missing one: ask again with `after` = `next_after`, and with `wait_ms`
/// the answer waits (up to 30 s) until there is something newer. At most `limit` events and 1 MiB of JSON.
struct EventsController: Sendable {
    let journal: EventJournal?
    static let defaultLimit = 100
    static let maxLimit = 1_000

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/events") { request, _ in try await self.events(request) }
    }

    /// Long-poll bound: a follower asks with `wait_ms` and gets an answer as soon as an event exists.
    static let maxWaitMs: Int64 = 30_000

    private func events(_ request: Request) async throws -> Response {
        struct Body: Encodable {
            var events: [StoredEvent]
            var nextAfter: Int64
        }
        let query = request.uri.queryParameters
        let after = try Self.integer(query["after"].map(String.init), name: "after", default: 0, range: 0...Int64.max)
        let limit = try Self.integer(
            query["limit"].map(String.init), name: "limit", default: Int64(Self.defaultLimit), range: 1...Int64(Self.maxLimit))
        let waitMs = try Self.integer(query["wait_ms"].map(String.init), name: "wait_ms", default: 0, range: 0...Self.maxWaitMs)
        guard let journal else {
            throw APIError(
                .serviceUnavailable, code: "storage_unavailable", message: "the event store could not be opened; see the daemon's log")
        }
        do {
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(waitMs))
            var events = try journal.events(after: after, limit: Int(limit))
            // The journal is the only writer: the file has something newer only once its newest id moved.
            while events.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                if journal.newestCommitted > after { events = try journal.events(after: after, limit: Int(limit)) }
            }
            events = Array(events.prefix(ResponseBudget.fitting(events)))
            return try JSONResponse.make(Body(events: events, nextAfter: events.last?.id ?? after))
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the event store cannot be read: \(error)")
        }
    }

    static func integer(_ text: String?, name: String, default value: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw APIError(
                .badRequest, code: "invalid_parameter",
                message:
                    "query parameter \(name) = \"\(text)\": must be an integer "
                    + "\(range.lowerBound)–\(range.upperBound == Int64.max ? "…" : "\(range.upperBound)")"
            )
        }
        return number
    }
}
