import ArgumentParser
import FoundationEssentials
import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d safe-off`: what systemd runs after every end of the daemon (`ExecStopPost=`), and what a
/// technician runs by hand. Outputs first — motion-enable, then every other configured output — then a
/// stop to every drive, each read back. Needs no daemon, no HTTP and no database.
struct SafeOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safe-off",
        abstract: "Turn motion-enable and every output off, then stop every drive and read it back.",
        discussion: """
            Turns off what the given configuration and the last one that started (<data-dir>/\(LastStartedConfig.fileName)) \
            name, both: a file edited since the start must not spare what the daemon really drove. When neither can be \
            read, the built-in vehicle defaults.
            Exit codes: 0 motion-enable reads off and every drive confirmed its stop; 1 otherwise, naming each \
            output or drive that did not.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Where the last started configuration is kept (storage.data_dir).", valueName: "dir"))
    var dataDir: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, journal: environment["JOURNAL_STREAM"] != nil) }
        let logger = Logger(label: "oht50d.safe-off")
        let started = MonotonicClock.now()
        let configs = loadConfigs(environment: environment, logger: logger)

        var failures = VehicleSafeOff.outputsOff(VehicleSafeOff.outputLines(of: configs), logger: logger)
        failures += VehicleSafeOff.contactorsDroppedOut(VehicleSafeOff.feedbacks(of: configs), logger: logger)
        for (buses, addresses) in VehicleSafeOff.drives(of: configs) {
            failures += VehicleSafeOff.drivesStopped(on: buses, addresses: addresses, logger: logger)
        }
        let ms = Double(MonotonicClock.now() - started) / 1e6
        if failures.isEmpty {
            logger.notice("safe-off done in \(String(printf: "%.0f", ms)) ms: motion-enable reads off, every drive confirmed its stop")
            return
        }
        logger.error("safe-off incomplete after \(String(printf: "%.0f", ms)) ms: \(failures.joined(separator: "; "))")
        throw ExitCode.failure
    }

    /// The given configuration and the last one that started, each when it can be read; the built-in
    /// defaults (the vehicle's own wiring) when neither can. A bad file must not leave the vehicle enabled.
    private func loadConfigs(environment: [String: String], logger: Logger) -> [FirmwareConfig] {
        var flags: [ConfigLoader.FlagOverride] = []
        if let dataDir { flags.append(.init(flag: "--data-dir", key: "storage.data_dir", value: dataDir)) }
        var configs: [FirmwareConfig] = []
        var current: FirmwareConfig?
        var currentError: (any Error)?
        do {
            // An untrusted file is unusable here too: it chooses which files are written and what "off" is
            // (active_low), so it could name any file, or a line whose off is 1.
            current = try ConfigLoader.load(path: options.config, environment: environment, flags: flags).config
        } catch {
            currentError = error
        }
        if let current { configs.append(current) }
        let lastStarted = LastStartedConfig.path(dataDir: dataDir ?? current?.storage.dataDir ?? StorageSettings().dataDir)
        if let currentError {
            logger.error("configuration unusable, falling back to the last one that started (\(lastStarted)): \(currentError)")
        }
        if FileManager.default.fileExists(atPath: lastStarted) {
            do {
                let config = try ConfigLoader.load(path: lastStarted, environment: [:], flags: []).config
                if let current, config != current {
                    logger.notice("also turning off what the last started configuration (\(lastStarted)) names beyond the current one")
                }
                if config != current { configs.append(config) }
            } catch {
                logger.error("the last started configuration (\(lastStarted)) is unusable: \(error)")
            }
        } else if current == nil {
            logger.error("no last started configuration at \(lastStarted)")
        }
        guard configs.isEmpty else { return configs }
        logger.error("no usable configuration, using the built-in vehicle defaults")
        return [FirmwareConfig.defaults]
    }
}
