import ArgumentParser
import OHT50Core

/// `oht50d`: the daemon and its subcommands. The program is `Sources/Programs/oht50d`, one binary that
/// also answers as `rs485-probe` and `oht50-sim` when called by those names.
public struct OHT50d: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
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

extension OHT50d {
    /// What `@main` does for an asynchronous root command, for the multi-call program
    /// (`Sources/Programs/oht50d`): from its top-level code, `main()` and `run()` resolve to
    /// ParsableCommand's synchronous ones, which refuse an asynchronous command or only print help.
    public static func runAsProgram() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
