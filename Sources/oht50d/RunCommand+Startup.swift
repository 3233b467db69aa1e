import ArgumentParser
import Dispatch
import FoundationEssentials
import Hummingbird
import Logging
import Metrics
import OHT50API
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Sim
import OHT50Store
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

extension RunCommand {
    /// Opens the vehicle's lines and bus. A device that is not there or not usable yet — udev late at boot
    /// to make a GPIO chip or the serial port, or to give it to its group (`HardwareError.mayAppear`; not a
    /// line held by another program, nor one the chip does not have) — is tried again after 0.25 s,
    /// doubling to 2 s, for `startup.device_wait_ms`; what it waits for is logged when that changes and
    /// shown by `systemctl status` (STATUS=). Then exit 69 naming it, as at once with a wait of 0 or with
    /// `--simulate`. Nothing moves meanwhile: no safety loop runs, every output that can be opened is
    /// turned off when the wait begins (as safe-off does), and what a failed attempt opened is released
    /// again (an output is requested at 0). A second daemon cannot start meanwhile (`DaemonLock`), and a
    /// SIGHUP is ignored until the reload handler exists. Returns the vehicle and, when it waited, "waited 8.1 s
    /// for /dev/ttyOHT485 (RS485 bus (bus.port))" for the start event.
    static func openWaitingForDevices(_ config: inout FirmwareConfig, simulate: Bool, notifier: SystemdNotifier, logger: Logger)
        async throws -> (VehicleWiring, waited: String?)
    {
        // A reload asked for before the reload handler exists is not a reason to die (SIGHUP's default):
        // ignored until `reloadOnSIGHUP` takes it over.
        signal(SIGHUP, SIG_IGN)
        let started = ContinuousClock.now
        let bound = Duration.milliseconds(simulate ? 0 : config.deviceWaitMs)
        var pause = Duration.milliseconds(250)
        var waitingFor: String?
        var firstMissing = ""
        while true {
            var attempt = config
            do {
                let vehicle = try VehicleWiring.open(&attempt, simulate: simulate, logger: logger)
                config = attempt
                guard waitingFor != nil else { return (vehicle, nil) }
                let waited = "waited \(Self.seconds(ContinuousClock.now - started)) for \(firstMissing)"
                logger.notice("the devices are there: \(waited)")
                notifier.notify("STATUS=starting")
                return (vehicle, waited)
            } catch {
                let waited = ContinuousClock.now - started
                let problem = "\(error)"
                let mayAppear = (error as? HardwareError)?.mayAppear ?? false
                guard mayAppear, waited < bound else {
                    let after = waitingFor == nil ? "" : " (waited \(Self.seconds(waited)), startup.device_wait_ms)"
                    logger.error("hardware missing\(after): \(problem)")
                    notifier.notify("STATUS=hardware missing\(after): \(problem)")
                    throw ExitStatus.hardwareMissing
                }
                if problem != waitingFor {
                    let left = Self.seconds(bound - waited)
                    logger.warning("waiting for a device (for up to \(left) more, startup.device_wait_ms): \(problem)")
                    notifier.notify("STATUS=waiting for a device: \(problem)")
                    if waitingFor == nil {
                        if let error = error as? HardwareError { firstMissing = "\(error.device) (\(error.role))" }
                        // What safe-off does, now: a missing input must not leave an output that exists at
                        // whatever level it had for the whole wait.
                        for failure in VehicleSafeOff.outputsOff(VehicleSafeOff.outputLines(of: [config]), logger: logger) {
                            logger.notice("while waiting: \(failure)")
                        }
                    }
                    waitingFor = problem
                }
                // The last try comes at the bound itself.
                try? await Task.sleep(for: min(pause, bound - waited))
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// "1.8 s".
    private static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return "\(ms / 1000).\(ms % 1000 / 100) s"
    }

    /// The configuration as loaded (what SIGHUP compares with), the one the daemon runs (data
    /// directory made absolute, with `--simulate` the simulated vehicle's files), and the API token.
    /// Exits 78 on a bad configuration, 1 on an unusable data directory.
    func startup(environment: [String: String], logger: Logger) throws -> (loaded: FirmwareConfig, running: FirmwareConfig, token: String?)
    {
        var config: FirmwareConfig
        do {
            config = try loadConfig(environment: environment, logger: logger)
        } catch let error as ConfigError {
            logger.error("configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
        LogfmtLogHandler.apply(config.logLevel)
        let loaded = config
        do {
            let token = try prepareDataDirectory(&config, environment: environment, logger: logger)
            return (loaded, config, token)
        } catch {
            logger.error("data directory \(config.storage.dataDir) is unusable: \(error)")
            throw ExitCode.failure
        }
    }

    func loadConfig(environment: [String: String], logger: Logger?) throws -> FirmwareConfig {
        var flags: [ConfigLoader.FlagOverride] = []
        if let dataDir { flags.append(.init(flag: "--data-dir", key: "storage.data_dir", value: dataDir)) }
        if let bind { flags.append(.init(flag: "--bind", key: "http.bind", value: bind)) }
        if let httpPort { flags.append(.init(flag: "--http-port", key: "http.port", value: httpPort)) }
        if let controlSocket { flags.append(.init(flag: "--control-socket", key: "http.control_socket", value: controlSocket)) }
        let loaded = try ConfigLoader.load(
            path: options.config, environment: environment, flags: flags, watchdog: ServiceWatchdog(environment: environment))
        logger?.notice("configuration loaded from \(loaded.path ?? "the built-in defaults")")
        for line in loaded.overrides { logger?.info("configuration override: \(line)") }
        if let warning = loaded.ignoredWarning { logger?.warning("\(warning)") }
        var config = loaded.config
        if simulate { SimulatedVehicle.configure(&config, dataDirGiven: dataDir != nil) }
        return config
    }

    /// Creates the data directory (and with `--simulate` the simulated vehicle's files); returns the API token.
    private func prepareDataDirectory(_ config: inout FirmwareConfig, environment: [String: String], logger: Logger) throws
        -> String?
    {
        let dataDir = URL(fileURLWithPath: config.storage.dataDir).standardizedFileURL.path
        config.storage.dataDir = dataDir
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        if simulate {
            if config.http.controlSocket == HTTPSettings.defaultControlSocket { config.http.controlSocket = dataDir + "/control.sock" }
            let estop = try SimulatedVehicle.prepareFiles(&config)
            logger.notice("simulated vehicle: E-stop file \(estop.estop) (1 = released; echo 0 > it to press)")
            logger.notice("simulated vehicle: motion-enable file \(estop.motionEnable), heartbeat file \(estop.heartbeat)")
            if let second = estop.estopSecond { logger.notice("simulated vehicle: E-stop channel 2 file \(second)") }
            if let feedback = estop.feedback {
                let welded = config.storage.dataDir + "/sim/contactor-welded"
                logger.notice(
                    "simulated vehicle: contactor feedback file \(feedback), follows motion-enable (echo 1 > \(welded) to weld it)")
            }
        }
        if let token = environment["OHT50_API_TOKEN"], !token.isEmpty { return token }
        if simulate {
            let path = dataDir + "/api-token"
            let token = try APITokenFile.loadOrCreate(at: path)
            logger.notice("API token (OHT50_API_TOKEN unset) written to \(path)")
            return token
        }
        logger.warning("OHT50_API_TOKEN is not set: every authenticated request (reset, move) is refused with 401")
        return nil
    }
}
