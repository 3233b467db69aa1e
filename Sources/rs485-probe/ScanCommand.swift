import ArgumentParser
import OHT50Core

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Find the modules on the bus: address, type, firmware, latency.",
        discussion: "Example: rs485-probe scan --from 1 --to 16 --bauds 115200,19200")

    @OptionGroup var bus: ProbeOptions
    @Option var from: Address = Address(argument: "1")!
    @Option var to: Address = Address(argument: "247")!
    @Option(help: ArgumentHelp("Timeout per address (short: absent addresses are silent).", valueName: "ms"))
    var scanTimeout = 20
    @Option(help: ArgumentHelp("Baud rates to try, comma-separated (default: --baud).", valueName: "list"))
    var bauds: String?

    struct Found: Encodable {
        var baud: Int
        var address: Int
        var type: String
        var typeCode: UInt16
        var firmware: String
        var name: String
        var latencyMs: Double
    }

    func run() throws {
        let rates =
            try bauds.map { list in
                try list.split(separator: ",").map { text -> Int in
                    guard let rate = Int(text) else { throw ValidationError("--bauds: \(text) is not a number") }
                    return rate
                }
            } ?? [bus.baud]
        var found: [Found] = []
        for rate in rates {
            let master = try bus.open(timeoutMs: scanTimeout, baud: rate)
            for address in from.value...to.value {
                let t = Transaction.read(
                    master, address: address, start: IdentityBlock.start, count: Int(IdentityBlock.count), retries: bus.retries)
                guard t.ok, let identity = IdentityBlock(registers: t.registers) else { continue }
                let module = Found(
                    baud: rate, address: Int(address), type: identity.moduleType?.rawValue ?? "unknown", typeCode: identity.moduleTypeCode,
                    firmware: identity.firmwareVersion, name: identity.name, latencyMs: t.latencyMs)
                found.append(module)
                if bus.format == .text {
                    Output.line(
                        "address \(address)  \(module.type) (code \(module.typeCode))  firmware \(module.firmware)  name \(module.name) "
                            + " \(String(printf: "%.2f", t.latencyMs)) ms  @\(rate)"
                    )
                }
            }
        }
        switch bus.format {
        case .json: Output.json(found)
        case .csv:
            Output.csv(
                [["baud", "address", "type", "type_code", "firmware", "name", "latency_ms"]]
                    + found.map {
                        [
                            "\($0.baud)", "\($0.address)", $0.type, "\($0.typeCode)", $0.firmware, $0.name,
                            String(printf: "%.3f", $0.latencyMs),
                        ]
                    })
        case .text: Output.line("scan: \(found.count) module(s) found at addresses \(from.value)–\(to.value)")
        }
    }
}
