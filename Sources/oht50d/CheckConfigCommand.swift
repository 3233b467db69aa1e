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

    func run() throws {
        do {
            let loaded = try ConfigLoader.load(
                path: options.config, environment: ProcessInfo.processInfo.environment, flags: [])
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
            print(loaded.config.yaml, terminator: "")
        } catch let error as ConfigError {
            Console.error("oht50d: configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
    }
}
