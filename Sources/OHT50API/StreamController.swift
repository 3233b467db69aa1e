import FoundationEssentials
import HTTPTypes
import Hummingbird
import OHT50Runtime
import OHT50Store
import Synchronization

/// `GET /api/v1/stream`: Server-Sent Events for the status page and anyone else who wants to be told
/// rather than poll. `event: status` carries `/api/v1/safety/status` whenever it changes (the safety
/// thread's wake-ups, `SafetyLoop.changes`; encoded once for every client) and at least every second; `event: event` carries each new row
/// of the event log with its id,
/// so a client that reconnects with `Last-Event-ID` (or `?after=`) gets every event after it. Without
/// either it starts with the last 50 events.
///
/// Only this task touches a client: it reads the safety thread's snapshot like every other reader and
/// writes with backpressure, so a slow client only slows its own stream, and a vanished one ends it at
/// the next write. At most `maxClients` streams at once.
struct StreamController: Sendable {
    let loop: SafetyLoopView
    let journal: EventJournal?
    let clients = StreamSlots()
    let statusText = StatusText()
    static let maxClients = 16
    static let backlog: Int64 = 50

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/stream") { request, _ in try self.stream(request) }
    }

    private func stream(_ request: Request) throws -> Response {
        let resumeText = request.headers[.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)
        var after: Int64?
        if let resumeText {
            guard let id = Int64(resumeText), id >= 0 else {
                throw APIError(
                    .badRequest, code: "invalid_parameter",
                    message: "Last-Event-ID / after = \"\(resumeText)\": must be an event id (an integer ≥ 0)")
            }
            after = id
        }
        guard clients.acquire(limit: Self.maxClients) else {
            throw APIError(
                .serviceUnavailable, code: "too_many_streams",
                message: "\(Self.maxClients) streams are open already; close one or poll /api/v1/safety/status")
        }
        let (loop, journal, clients, resume, statusText) = (self.loop, self.journal, self.clients, after, self.statusText)
        let body = ResponseBody { writer in
            defer { clients.release() }
            var last = resume ?? max(0, ((try? journal?.newestID()) ?? 0) - Self.backlog)
            var lastStatus = ""
            var lastStatusAt = ContinuousClock.now
            // -1: nothing read yet, so the first pass reads the backlog.
            var seenNewest: Int64 = -1
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !Task.isCancelled {
                let seen = loop.changes.generation
                let heartbeat = ContinuousClock.now - lastStatusAt >= .seconds(1)
                let status = try statusText.current(loop, generation: seen, refresh: heartbeat)
                if status != lastStatus || heartbeat {
                    try await writer.write(ByteBuffer(string: "event: status\ndata: \(status)\n\n"))
                    lastStatus = status
                    lastStatusAt = ContinuousClock.now
                }
                var more = false
                let newest = journal?.newestCommitted ?? 0
                if let journal, newest != seenNewest {
                    seenNewest = newest
                    let events = (try? journal.events(after: last, limit: 200)) ?? []
                    var text = ""
                    for event in events {
                        let json = String(decoding: try JSONResponse.encoder.encode(event), as: UTF8.self)
                        text += "id: \(event.id)\nevent: event\ndata: \(json)\n\n"
                        last = event.id
                    }
                    if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                    // More than one page waiting: read the next at once.
                    if events.count == 200 {
                        seenNewest = -1
                        more = true
                    }
                }
                if !more { await loop.changes.wait(since: seen, until: lastStatusAt.advanced(by: .seconds(1))) }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: body)
    }
}

/// The safety status as the stream sends it, encoded once per change for every client (and again for
/// a heartbeat, so `in_state_ms` moves on).
final class StatusText: Sendable {
    private let cache = Mutex<(generation: UInt64, at: ContinuousClock.Instant, text: String)?>(nil)

    func current(_ loop: SafetyLoopView, generation: UInt64, refresh: Bool) throws -> String {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), cached.generation == generation, !refresh || now - cached.at < .milliseconds(500) {
            return cached.text
        }
        let text = String(decoding: try JSONResponse.encoder.encode(SafetyStatusReport(loop)), as: UTF8.self)
        cache.withLock { $0 = (generation, now, text) }
        return text
    }
}

/// How many streams are open; a bound, not a queue.
final class StreamSlots: Sendable {
    private let open = Atomic<Int>(0)

    func acquire(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { open.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
