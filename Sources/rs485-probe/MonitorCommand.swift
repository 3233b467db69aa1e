import ArgumentParser
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "A live table of a module's decoded values (redraws on a terminal, plain lines when piped).",
        discussion: "Example: rs485-probe monitor --addr 2 --interval 500")

    @OptionGroup var bus: ProbeOptions
    @Option var addr: Address
    @Option(help: ArgumentHelp("Refresh period.", valueName: "ms")) var interval = 500
    @Option(help: "Stop after this many refreshes (default: until Ctrl-C).") var count: Int?
    @Option(help: "The module type (default: ask the module).") var type: String?

    func run() throws {
        let master = try bus.open()
        let map = ModuleTypeLookup.map(master, address: addr.value, given: type)
        let fullMap = map ?? RegisterMap.of(.io)
        let terminal = isatty(STDOUT_FILENO) != 0 && bus.format == .text
        var refreshes = 0
        var failures = 0
        while count.map({ refreshes < $0 }) ?? true {
            refreshes += 1
            let t = Transaction.read(
                master, address: addr.value, start: fullMap.pollStart, count: Int(fullMap.pollCount), retries: bus.retries)
            if !t.ok { failures += 1 }
            let values = ModuleTypeLookup.decode(fullMap, start: fullMap.pollStart, registers: t.registers)
            switch bus.format {
            case .json: Output.json(ReadCommand.Row(sequence: refreshes, transaction: t, values: values))
            case .csv:
                if refreshes == 1 { Output.csv([["sequence", "ok"] + fullMap.fields.map(\.name)]) }
                Output.csv([["\(refreshes)", "\(t.ok)"] + values.map { "\($0.value)" }])
            case .text:
                if terminal {
                    Output.line(
                        "\u{1B}[H\u{1B}[2J" + "rs485-probe monitor: address \(addr.value) \(fullMap.type.rawValue)  (Ctrl-C to stop)")
                }
                Output.line(
                    t.ok
                        ? values.map { "  \($0.name.padded(to: 24)) \($0.value) \($0.unit)" }.joined(
                            separator: "\n")
                        : "  \(t.outcome)")
            }
            if count.map({ refreshes < $0 }) ?? true { usleep(UInt32(interval) * 1_000) }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
