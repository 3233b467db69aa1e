import ArgumentParser
import OHT50Core

struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Write a register (FC06) or several (FC16, --value a,b,c). Drive registers need --yes.",
        discussion: """
            Example: rs485-probe write --addr 3 --register 0x01 --value 1,50 --yes   (enable motor 1 at speed 50)
                     rs485-probe write --addr 3 --register 0x0D --value 200 --yes    (the drive's host watchdog, ms; 0 = off)
            """)

    @OptionGroup var bus: ProbeOptions
    @Option var addr: Address
    @Option var register: Register
    @Option(help: "A value, or comma-separated values for FC16.") var value: String
    @Flag(help: "Confirm a write to a drive (motor) register: it can move the vehicle.") var yes = false
    @Option(help: "The module type (default: ask the module).") var type: String?

    func run() throws {
        let values = try value.split(separator: ",").map { text -> UInt16 in
            guard let n = parseNumber(String(text)), (0...0xFFFF).contains(n) else {
                throw ValidationError("--value: \(text) is not 0–65535")
            }
            return UInt16(n)
        }
        let master = try bus.open()
        let map = ModuleTypeLookup.map(master, address: addr.value, given: type)
        if map?.type == .motor && !yes {
            Output.error("rs485-probe: address \(addr.value) is a drive: a write can move the vehicle. Add --yes to confirm.")
            throw ExitCode(2)
        }
        let t = Transaction.write(master, address: addr.value, start: register.value, values: values, retries: bus.retries)
        switch bus.format {
        case .json: Output.json(t)
        case .csv: Output.csv([["ok", "outcome", "latency_ms"], ["\(t.ok)", t.outcome, String(printf: "%.3f", t.latencyMs)]])
        case .text:
            Output.line(
                t.ok
                    ? "WRITE ok addr=\(addr.value) register=\(register.value) values=\(values) "
                        + "latency=\(String(printf: "%.2f", t.latencyMs))ms"
                    : "WRITE fail addr=\(addr.value) \(t.outcome)\(t.exceptionCode.map { " code=\($0)" } ?? "")")
        }
        if !t.ok { throw ExitCode(1) }
    }
}
