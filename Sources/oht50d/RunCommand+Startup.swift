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
