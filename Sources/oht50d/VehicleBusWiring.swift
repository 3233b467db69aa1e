import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Sim

/// The bus as the configuration asks for it: the RS485 port, or with `--simulate` the simulated
/// modules on a pty this process creates (real Modbus RTU bytes, real libmodbus).
struct VehicleBusWiring {
    let loop: BusLoop
    /// Kept alive for the daemon's lifetime with `--simulate`.
    let simulator: SimulatedBus?

    /// nil when no modules are configured. Throws `HardwareError` (exit 69) when the port is missing or held.
    static func make(config: FirmwareConfig, simulate: Bool, dataDir: String, logger: Logger) throws -> VehicleBusWiring? {
        guard !config.modules.isEmpty else { return nil }
        var settings = config.bus
        var simulator: SimulatedBus?
        if simulate {
            let sim = try SimulatedBus(
                modules: config.modules.map { SimulatedModule(address: UInt8($0.address), type: $0.type) },
                link: dataDir + "/sim/ttyOHT485", baud: settings.baud)
            settings.port = sim.terminal.path
            simulator = sim
            logger.notice("simulated vehicle: modules \(SimulatedVehicleBus.description) on \(sim.terminal.slavePath) (link \(settings.port))")
        }
        let open: @Sendable () throws(BusOpenError) -> ModbusMaster
        if let (host, port) = BusSettings.tcpEndpoint(settings.port) {
            open = { [settings] () throws(BusOpenError) in
                try ModbusMaster(host: host, port: port, responseTimeoutMs: settings.responseTimeoutMs)
            }
        } else {
            open = { [settings] () throws(BusOpenError) in try ModbusMaster(settings: settings) }
        }
        let master: ModbusMaster
        do {
            master = try open()
        } catch {
            throw HardwareError(role: "RS485 bus (bus.port)", device: settings.port, problem: error.description, hint: "see README, RS485")
        }
        logger.notice(
            "RS485 bus: \(settings.port) at \(settings.baud) baud, response timeout \(settings.responseTimeoutMs) ms, comm loss after \(settings.commLossAfter)")
        return VehicleBusWiring(
            loop: BusLoop(settings: settings, modules: config.modules, link: BusLink(), master: master, open: open),
            simulator: simulator)
    }
}

/// The simulated vehicle's modules: the power module and the drive, both required.
enum SimulatedVehicleBus {
    static let modules = [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor)]
    static let description = "power@2, motor@3"
}
