import ArgumentParser
import Dispatch
import FoundationEssentials
import OHT50Core
import OHT50Sim

#if canImport(Glibc)
import Glibc
#endif

public struct OHT50SimCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "oht50-sim",
        abstract: "Simulated OHT-50 bus modules speaking Modbus RTU on a pty.",
        discussion: """
            Faults are injected at run time with commands on stdin, one per line:
              \(FaultCommand.help)
            Examples:
              oht50-sim --link /tmp/ttyOHT485 --modules power@2,motor@3
              mbpoll -m rtu -b 115200 -P none -a 2 -r 0xF0 -c 16 -0 -1 /tmp/ttyOHT485
              echo "offline 3 on" to its stdin: the drive stops answering.
            """)

    @Option(help: ArgumentHelp("Create a symlink to the pty here.", valueName: "path"))
    var link: String?

    @Option(help: ArgumentHelp("Modules as TYPE@ADDRESS, comma-separated.", valueName: "list"))
    var modules = "power@2,motor@3"

    @Option(help: ArgumentHelp("The line's baud rate (sets the inter-frame gap).", valueName: "n"))
    var baud = 115_200

    public func run() throws {
        let bus: SimulatedBus
        do {
            bus = try SimulatedBus(modules: try ModuleList.parse(modules), link: link, baud: baud, notice: { Self.say("oht50-sim: " + $0) })
        } catch let error as SimulatorError {
            Console.error("oht50-sim: \(error)")
            throw ExitCode(2)
        }
        let described = bus.addresses.compactMap { a in bus.withModule(a) { "\($0.type.rawValue)@\($0.address)" } }
        Self.say(
            "oht50-sim: \(described.joined(separator: ", ")) on \(bus.terminal.slavePath)"
                + (link.map { " (link \($0))" } ?? "") + " at \(baud) baud; type help for fault commands")

        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                bus.stop()
                if let link { unlink(link) }
                Glibc.exit(0)
            }
            source.resume()
            Self.signalSources.append(source)
        }
        DetachedThread.start(name: "oht50-sim-input") {
            while let line = readLine() {
                let answer = FaultCommand.apply(line.trimmed, to: bus)
                if !answer.isEmpty { Self.say(answer) }
            }
        }
        dispatchMain()
    }

    /// Unbuffered, so a test or a script reading the pipe sees each answer at once.
    static func say(_ line: String) { Console.out(line) }

    nonisolated(unsafe) static var signalSources: [any DispatchSourceSignal] = []
}
