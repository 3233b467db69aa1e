import Hummingbird
import OHT50Core
import OHT50Runtime

/// `/api/v1/telemetry/current` and `/api/v1/modules[/{address}]`: every module's decoded values with
/// units and age, identity, health and counters.
struct TelemetryController: Sendable {
    let loop: SafetyLoop
    let bus: BusLoop?

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/v1/telemetry/current") { _, _ in try self.current() }
        router.get("/api/v1/modules") { _, _ in try self.modules() }
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
        let snapshot = loop.snapshot.read()
        return try JSONResponse.make(
            Body(
                state: snapshot.machine.state.name,
                estop: .init(pressed: snapshot.estop.level == .pressed, raw: snapshot.estop.raw < 0 ? nil : Int(snapshot.estop.raw)),
                modules: reports(detailed: false)))
    }

    private func modules() throws -> Response {
        struct Body: Encodable {
            var port: String?
            var connected: Bool
            var modules: [ModuleReport]
        }
        return try JSONResponse.make(Body(port: bus?.settings.port, connected: bus?.isConnected ?? false, modules: reports(detailed: true)))
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
