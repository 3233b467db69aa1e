import ArgumentParser
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read registers (FC03 or FC04), decoded through the module's register map.",
        discussion: "Example: rs485-probe read --addr 2 --start 0 --count 9 --repeat 5 --interval 200")

    @OptionGroup var bus: ProbeOptions
    @Option var addr: Address
    @Option var start: Register = Register(argument: "0")!
    @Option var count = 1
    @Option(help: "Function code: 3 (holding) or 4 (input).") var fc = 3
    @Option(help: "How many times to read.") var `repeat` = 1
    @Option(help: ArgumentHelp("Pause between reads.", valueName: "ms")) var interval = 100
    @Option(help: "Decode as this module type (default: ask the module).") var type: String?

    func validate() throws {
        guard (1...125).contains(count) else { throw ValidationError("--count must be 1–125") }
        guard fc == 3 || fc == 4 else { throw ValidationError("--fc must be 3 or 4") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let type, ModuleType(rawValue: type) == nil {
            throw ValidationError("--type must be one of \(ModuleType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    struct Row: Encodable {
        var sequence: Int
        var transaction: Transaction
        var values: [DecodedValue]
    }

    func run() throws {
        let master = try bus.open()
        let map = ModuleTypeLookup.map(master, address: addr.value, given: type)
        var failures = 0
        if bus.format == .csv { Output.csv([["sequence", "ok", "outcome", "latency_ms", "registers"]]) }
        for sequence in 1...`repeat` {
            let t = Transaction.read(
                master, address: addr.value, start: start.value, count: count, inputRegisters: fc == 4, retries: bus.retries)
            if !t.ok { failures += 1 }
            let values = ModuleTypeLookup.decode(map, start: start.value, registers: t.registers)
            switch bus.format {
            case .json: Output.json(Row(sequence: sequence, transaction: t, values: values))
            case .csv:
                Output.csv([
                    [
                        "\(sequence)", "\(t.ok)", t.outcome, String(printf: "%.3f", t.latencyMs),
                        t.registers.map(String.init).joined(separator: " "),
                    ]
                ])
            case .text:
                let decoded = values.map { "\($0.name)=\($0.value)\($0.unit.isEmpty ? "" : " " + $0.unit)" }.joined(separator: "  ")
                Output.line(
                    t.ok
                        ? "READ ok addr=\(addr.value) start=\(start.value) regs=\(t.registers) "
                            + "latency=\(String(printf: "%.2f", t.latencyMs))ms \(decoded)"
                        : "READ fail addr=\(addr.value) \(t.outcome)\(t.exceptionCode.map { " code=\($0)" } ?? "") "
                            + "latency=\(String(printf: "%.2f", t.latencyMs))ms"
                )
            }
            if sequence < `repeat` { usleep(UInt32(interval) * 1_000) }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
