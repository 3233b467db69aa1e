import FoundationEssentials
import Hummingbird
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Store

/// `/api/v1/telemetry/current` and `/api/v1/modules[/{address}]`: every module's decoded values with
/// units and age, identity, health and counters.
struct TelemetryController: Sendable {
    let loop: SafetyLoopView
    let bus: BusLoopView?
    let history: TelemetryHistory?

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/telemetry/current") { _, _ in try self.current() }
        router.get("/api/v1/modules") { _, _ in try self.modules() }
        router.get("/api/v1/telemetry/history") { request, _ in try self.historyRows(request) }
        router.get("/api/v1/modules/:address") { _, context in try self.module(context) }
    }

    private func reports(detailed: Bool) -> [ModuleReport] {
        guard let bus else { return [] }
        let now = MonotonicClock.now()
        return bus.modules.sorted { $0.settings.address < $1.settings.address }.map {
            ModuleReport($0, commLossAfter: bus.settings.commLossAfter, now: now, detailed: detailed)
        }
    }

    private func current() throws -> Response {
        struct Body: Encodable {
            var state: String
            var estop: EStop
            var modules: [ModuleReport]
            struct EStop: Encodable {
                var pressed: Bool
                var raw: Int?
            }
        }
        let snapshot = loop.snapshot
        return try JSONResponse.make(
            Body(
                state: snapshot.machine.state.name,
                estop: .init(pressed: snapshot.estopBoth.level == .pressed, raw: snapshot.estop.raw < 0 ? nil : Int(snapshot.estop.raw)),
                modules: reports(detailed: false)))
    }

    private func modules() throws -> Response {
        struct Body: Encodable {
            var port: String?
            var connected: Bool
            var reconnects: UInt64
            var lateBytes: UInt64
            var modules: [ModuleReport]
        }
        return try JSONResponse.make(
            Body(
                port: bus?.settings.port, connected: bus?.isConnected ?? false,
                reconnects: bus?.reconnects ?? 0, lateBytes: bus?.lateBytes ?? 0,
                modules: reports(detailed: true)))
    }

    /// At most this many rows per answer: two hours of one module. Anyone may ask without a token, and
    /// the answer is built in the daemon's locked memory; `next_from` pages through more.
    static let maxHistoryRows = 7_200

    /// `?module=ADDR&from=T&to=T&limit=N`, times as ISO 8601 (2026-11-23T08:00:00Z) or unix milliseconds;
    /// the last hour by default.
    private func historyRows(_ request: Request) throws -> Response {
        struct Body: Encodable {
            var rows: [TelemetryHistory.Row]
            /// Where the next page starts when this one was cut at the limit or at 1 MiB.
            var nextFrom: Int64?
        }
        let query = request.uri.queryParameters
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let module = try query["module"].map { try EventsController.integer(String($0), name: "module", default: 0, range: 1...247) }.map(
            Int.init)
        let from = try Self.time(query["from"].map(String.init), name: "from") ?? nowMs - 3_600_000
        let to = try Self.time(query["to"].map(String.init), name: "to") ?? nowMs
        let limit = try EventsController.integer(
            query["limit"].map(String.init), name: "limit", default: 3_600, range: 1...Int64(Self.maxHistoryRows))
        guard let history else {
            throw APIError(
                .serviceUnavailable, code: "storage_unavailable",
                message: "no telemetry history: no bus modules, or the store could not be opened")
        }
        do {
            let all = try history.rows(module: module, fromMs: from, toMs: to, limit: Int(limit))
            var rows = Array(all.prefix(ResponseBudget.fitting(all)))
            var nextFrom: Int64?
            if rows.count == Int(limit) || rows.count < all.count, let cut = rows.last?.unixMs {
                // Rows come per second and module: a page cut inside a second ends before it, and the next
                // starts at it, so no module's row of that second is skipped.
                if rows.first?.unixMs != cut {
                    rows.removeAll { $0.unixMs == cut }
                    nextFrom = cut
                } else {
                    nextFrom = cut + 1
                }
            }
            return try JSONResponse.make(Body(rows: rows, nextFrom: nextFrom))
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the telemetry history cannot be read: \(error)")
        }
    }

    static func time(_ text: String?, name: String) throws -> Int64? {
        guard let text else { return nil }
        if let ms = Int64(text), ms >= 0 { return ms }
        if let date = WallTime.parse(text) { return Int64(date.timeIntervalSince1970 * 1000) }
        throw APIError(
            .badRequest, code: "invalid_parameter",
            message: "query parameter \(name) = \"\(text)\": must be an ISO 8601 time such as 2026-11-23T08:00:00Z, or unix milliseconds")
    }

    private func module(_ context: APIRequestContext) throws -> Response {
        let text = context.parameters.get("address") ?? ""
        guard let address = Int(text), let report = reports(detailed: true).first(where: { $0.address == address }) else {
            let known = bus?.modules.map { String($0.settings.address) }.sorted().joined(separator: ", ") ?? "none"
            throw APIError(.notFound, code: "module_not_found", message: "no module at address \(text); configured: \(known)")
        }
        return try JSONResponse.make(report)
    }
}
