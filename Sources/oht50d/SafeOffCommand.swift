import ArgumentParser
import Foundation
import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime

/// `oht50d safe-off`: what systemd runs after every end of the daemon (`ExecStopPost=`), and what a
/// technician runs by hand. Outputs first — motion-enable, then every other configured output — then a
/// stop to every drive, each read back. Needs no daemon, no HTTP and no database.
struct SafeOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safe-off",
        abstract: "Turn motion-enable and every output off, then stop every drive and read it back.",
        discussion: """
            Falls back to the last configuration that started (<data-dir>/\(LastStartedConfig.fileName)) when the \
            given one cannot be read, and to the built-in vehicle defaults when that cannot either.
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
        let config = loadConfig(environment: environment, logger: logger)

        var failures = VehicleSafeOff.outputsOff(config.outputs, logger: logger)
        failures += VehicleSafeOff.drivesStopped(config, logger: logger)
        let ms = Double(MonotonicClock.now() - started) / 1e6
        if failures.isEmpty {
            logger.notice("safe-off done in \(String(format: "%.0f", ms)) ms: motion-enable reads off, every drive confirmed its stop")
            return
        }
        logger.error("safe-off incomplete after \(String(format: "%.0f", ms)) ms: \(failures.joined(separator: "; "))")
        throw ExitCode.failure
    }

    /// The given configuration; when it cannot be read, the last one that started; when that cannot
    /// either, the built-in defaults (the vehicle's own wiring). A bad file must not leave the vehicle enabled.
    private func loadConfig(environment: [String: String], logger: Logger) -> FirmwareConfig {
        var flags: [ConfigLoader.FlagOverride] = []
        if let dataDir { flags.append(.init(flag: "--data-dir", key: "storage.data_dir", value: dataDir)) }
        let fallback = LastStartedConfig.path(dataDir: dataDir ?? StorageSettings().dataDir)
        do {
            return try ConfigLoader.load(path: options.config, environment: environment, flags: flags).config
        } catch {
            logger.error("configuration unusable, falling back to the last one that started (\(fallback)): \(error)")
        }
        do {
            return try ConfigLoader.load(path: fallback, environment: [:], flags: []).config
        } catch {
            logger.error("the last started configuration is unusable too, using the built-in vehicle defaults: \(error)")
            return FirmwareConfig.defaults
        }
    }
}
