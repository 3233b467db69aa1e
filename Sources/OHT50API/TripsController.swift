import Hummingbird
import OHT50Store

/// `GET /api/v1/trips` and `/api/v1/trips/{id}`: the recording saved with every trip — the two seconds
/// of safety-loop samples before it and the last bus readings.
struct TripsController: Sendable {
    let journal: EventJournal?

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/trips") { request, _ in try self.list(request) }
        router.get("/api/v1/trips/:id") { _, context in try self.one(context) }
    }

    private func store() throws -> EventJournal {
        guard let journal else {
            throw APIError(
                .serviceUnavailable, code: "storage_unavailable", message: "the event store could not be opened; see the daemon's log")
        }
        return journal
    }

    private func list(_ request: Request) throws -> Response {
        struct Body: Encodable { var trips: [StoredTrip] }
        let query = request.uri.queryParameters
        let after = try EventsController.integer(query["after"].map(String.init), name: "after", default: 0, range: 0...Int64.max)
        let limit = try EventsController.integer(query["limit"].map(String.init), name: "limit", default: 100, range: 1...1_000)
        do {
            return try JSONResponse.make(Body(trips: try store().trips(after: after, limit: Int(limit))))
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the trip store cannot be read: \(error)")
        }
    }

    private func one(_ context: APIRequestContext) throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "trip_not_found", message: "no trip \(text); trip ids are positive integers")
        }
        do {
            guard let trip = try store().trip(id: id) else {
                throw APIError(.notFound, code: "trip_not_found", message: "no trip \(id); GET /api/v1/trips lists them")
            }
            return try JSONResponse.make(trip)
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the trip store cannot be read: \(error)")
        }
    }
}
