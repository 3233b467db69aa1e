import ArgumentParser
import FoundationEssentials
import OHT50Core
import OHT50IO
import OHT50Store

#if canImport(Glibc)
import Glibc
#endif

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the event database while the daemon runs (SQLite online backup).",
        discussion: "Example: oht50d backup --data-dir /opt/oht50/data --to /backup/firmware-$(date +%Y%m%d).db")

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The data directory (default: storage.data_dir of the config).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
    var to: String

    func run() throws {
        let directory: String
        if let dataDir {
            directory = dataDir
        } else {
            do {
                directory = try ConfigLoader.load(path: options.config, environment: ProcessInfo.processInfo.environment, flags: [])
                    .config.storage.dataDir
            } catch let error as ConfigError {
                Console.error("oht50d: configuration rejected: \(error)")
                throw ExitStatus.badConfig
            }
        }
        do {
            let pages = try DatabaseBackup.copy(dataDir: directory, to: to)
            print("oht50d: backed up \(directory)/\(EventStore.fileName) to \(to) (\(pages) pages, integrity ok)")
        } catch {
            Console.error("oht50d: backup failed: \(error)")
            throw ExitCode.failure
        }
    }
}
