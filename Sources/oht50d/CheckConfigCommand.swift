import ArgumentParser
import FoundationEssentials
import OHT50Core
import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print the effective values (file, then OHT50_* environment).")

    @OptionGroup var options: ConfigOptions

    @Option(
        help: ArgumentHelp(
            "The unit whose WatchdogSec= the stall times must stay below (default: the installed oht50-firmware.service and "
                + "its drop-ins).", valueName: "file"))
    var unit: String?

    func run() throws {
        if let unit, !FileManager.default.isReadableFile(atPath: unit) {
            Console.error("oht50d: --unit \(unit): no readable unit file there")
            throw ExitStatus.badConfig
        }
        do {
            let environment = ProcessInfo.processInfo.environment
            let watchdog = ServiceWatchdog(environment: environment) ?? ServiceUnit.watchdog(unit: unit ?? ServiceUnit.installed)
            let loaded = try ConfigLoader.load(path: options.config, environment: environment, flags: [], watchdog: watchdog)
            if let tls = loaded.config.http.tls {
                // The certificate, key and CA are read as the start would: a problem there stops the start too.
                do {
                    _ = try HTTPSecurity.check(tls)
                } catch {
                    Console.error("oht50d: configuration rejected: \(error)")
                    throw ExitStatus.badConfig
                }
            }
            print("# effective configuration from \(loaded.path ?? "the built-in defaults")")
            for line in loaded.overrides { print("# override: \(line)") }
            if let warning = loaded.ignoredWarning { Console.error("oht50d: warning: \(warning)") }
            if let watchdog { print("# stall times checked against \(watchdog.description)") }
            print(loaded.config.yaml, terminator: "")
        } catch let error as ConfigError {
            Console.error("oht50d: configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
    }
}
