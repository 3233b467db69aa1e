import ArgumentParser
import OHT50Core

@main
struct OHT50d: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oht50d",
        abstract: "The OHT-50 edge daemon: E-stop latch, safety state machine and the :8081 endpoint.",
        discussion: """
            Exit codes: 0 clean stop, 78 bad config, 69 hardware missing, 1 otherwise.
            This is not the hardwired emergency stop; see README.md.
            """,
        version: FirmwareVersion.current,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, BackupCommand.self, SafeOffCommand.self, StatusCommand.self, ResetCommand.self,
            EventsCommand.self, DoctorCommand.self, ExportGPIOCommand.self,
        ],
        defaultSubcommand: RunCommand.self)
}
