import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Sim

/// The vehicle as the daemon drives it, opened from `VehicleHardware`: the safety loop over the E-stop
/// input and the output lines, the bus thread over the modules (on the RS485 port, or with `--simulate`
/// on the simulated modules' pty), and the two LEDs the daemon itself drives.
struct VehicleWiring {
    let loop: SafetyLoop
    let bus: BusLoop?
    /// On while the daemon runs.
    let powerLED: (any OutputLine)?
    /// On while HTTP listens.
    let networkLED: (any OutputLine)?
    /// Kept alive for the daemon's lifetime with `--simulate`.
    let simulator: SimulatedBus?
    /// With `--simulate` and a contactor feedback: the relay whose feedback follows motion-enable.
    let contactor: SimulatedContactor?

    /// Opens everything the configuration names; `config.bus` becomes what the bus thread uses. Throws
    /// (the daemon exits 69) naming the line or port that is missing or held.
    static func open(_ config: inout FirmwareConfig, simulate: Bool, logger: Logger) throws -> VehicleWiring {
        let hardware = VehicleHardware(config)
        let input = try VehicleOpener.estopInput(hardware.estop)
        let secondInput = try VehicleOpener.estopSecondInput(hardware.estop)
        let feedback = try VehicleOpener.feedbackInput(config.outputs)
        let motionEnable = try VehicleOpener.output(hardware.motionEnable)
        var opened: [VehicleHardware.OutputRole: any OutputLine] = [:]
        for output in hardware.outputs.dropFirst() { opened[output.role] = try VehicleOpener.output(output) }
        let lines = SafetyOutputLines(
            motionEnable: motionEnable, heartbeat: opened[.heartbeat], errorLED: opened[.errorLED], systemLED: opened[.systemLED],
            commLED: opened[.commLED])

        var simulator: SimulatedBus?
        var bus: BusLoop?
        if !hardware.modules.isEmpty {
            if simulate {
                let sim = try SimulatedVehicle.startBus(&config)
                simulator = sim
                logger.notice(
                    "simulated vehicle: modules \(SimulatedVehicle.description) on \(sim.terminal.slavePath) (link \(config.bus.port))")
            }
            bus = try openBus(config.bus, modules: hardware.modules, logger: logger)
        }
        var contactor: SimulatedContactor?
        if simulate, let feedback = config.outputs.motionEnableFeedback, let feedbackPath = feedback.line.sysfsPath,
            let motionPath = config.outputs.motionEnable.sysfsPath
        {
            contactor = try SimulatedContactor(
                motionEnablePath: motionPath, feedbackPath: feedbackPath, weldedPath: config.storage.dataDir + "/sim/contactor-welded",
                activeLow: feedback.line.activeLow)
        }
        let loop = SafetyLoop(
            timings: SafetyTimings(config), input: input, outputs: lines, bus: bus?.link, secondInput: secondInput, feedback: feedback)
        if let secondInput {
            logger.notice("E-stop channel 1: \(input.description)")
            logger.notice("E-stop channel 2: \(secondInput.description), discrepancy \(config.estop.discrepancyMs) ms")
        } else {
            logger.notice("E-stop input: \(input.description)")
        }
        if let feedback, let times = config.outputs.motionEnableFeedback {
            logger.notice("contactor feedback: \(feedback.description), pull-in \(times.pullInMs) ms, drop-out \(times.dropOutMs) ms")
        }
        logger.notice("motion-enable output: \(lines.motionEnable.description)")
        return VehicleWiring(
            loop: loop, bus: bus, powerLED: opened[.powerLED], networkLED: opened[.networkLED], simulator: simulator, contactor: contactor)
    }

    private static func openBus(_ settings: BusSettings, modules: [ModuleSettings], logger: Logger) throws(HardwareError) -> BusLoop {
        let open: @Sendable () throws(BusOpenError) -> ModbusMaster = { [settings] () throws(BusOpenError) in
            try VehicleOpener.bus(settings)
        }
        let master: ModbusMaster
        do {
            master = try open()
        } catch {
            throw HardwareError(
                role: "RS485 bus (bus.port)", device: settings.port, problem: error.description, hint: "see README, RS485",
                mayAppear: error.mayAppear)
        }
        let timing = "response timeout \(settings.responseTimeoutMs) ms, comm loss after \(settings.commLossAfter)"
        logger.notice("RS485 bus: \(settings.port) at \(settings.baud) baud, \(timing)")
        return BusLoop(settings: settings, modules: modules, link: BusLink(), master: master, open: open)
    }

    /// Motion-enable off (the safety thread's last cycle), then the drives stopped, then the LEDs off.
    func stop() {
        loop.stop()
        bus?.stop()
        _ = powerLED?.set(false)
        _ = networkLED?.set(false)
        contactor?.stop()
    }
}
