import ArgumentParser
import OHT50Core

struct IdentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify", abstract: "Read and decode a module's identity block (0x00F0–0x00FF).",
        discussion: "Example: rs485-probe identify 2 --json")

    @OptionGroup var bus: ProbeOptions
    @Argument(help: "Module address (1–247).") var address: Address

    func run() throws {
        let master = try bus.open()
        let t = Transaction.read(
            master, address: address.value, start: IdentityBlock.start, count: Int(IdentityBlock.count), retries: bus.retries)
        guard t.ok, let identity = IdentityBlock(registers: t.registers) else {
            Output.error("rs485-probe: address \(address.value): \(t.outcome)\(t.exceptionCode.map { " (exception \($0))" } ?? "")")
            throw ExitCode(1)
        }
        switch bus.format {
        case .json: Output.json(identity)
        case .csv:
            Output.csv([
                ["device_id", "firmware_version", "status", "error", "module_type", "name", "hardware_version", "serial", "build_date"],
                [
                    "\(identity.deviceID)", identity.firmwareVersion, "\(identity.status)", "\(identity.error)",
                    identity.moduleType?.rawValue ?? "\(identity.moduleTypeCode)",
                    identity.name, identity.hardwareVersion, "\(identity.serial)", identity.buildDate,
                ],
            ])
        case .text:
            Output.line(
                """
                address \(address.value): \(identity.moduleType?.rawValue ?? "unknown type") (code \(identity.moduleTypeCode))
                  device id 0x\(String(identity.deviceID, radix: 16))  name \(identity.name)  serial \(identity.serial)
                  firmware \(identity.firmwareVersion)  hardware \(identity.hardwareVersion)  built \(identity.buildDate)
                  status \(identity.status)  error \(identity.error)  baud code \(identity.baudCode)  parity \(identity.parity)
                """)
        }
    }
}
