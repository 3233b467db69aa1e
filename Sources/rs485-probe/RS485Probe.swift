import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

public struct RS485Probe: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "rs485-probe",
        abstract: "The bench tool for the OHT-50 RS485 bus: scan, identify, read, write, monitor, bench.",
        discussion: """
            Exit codes: 0 all ok · 1 some transactions failed · 2 usage · 3 port busy (names the holder) ·
            4 port missing or unusable. Stop the daemon first to use the vehicle's port:
              sudo systemctl stop oht50-firmware
            Examples:
              rs485-probe scan
              rs485-probe identify 2
              rs485-probe read --addr 2 --start 0 --count 9 --repeat 10 --interval 100
              rs485-probe write --addr 3 --register 0x02 --value 50 --yes
              rs485-probe monitor --addr 3
              rs485-probe bench --addr 3 --count 1000 --json
            """,
        subcommands: [ScanCommand.self, IdentifyCommand.self, ReadCommand.self, WriteCommand.self, MonitorCommand.self, BenchCommand.self])

    /// Usage errors exit 2, as technicians' scripts expect from a bench tool (not ArgumentParser's 64).
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Output.error(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// `0x..` or decimal.
func parseNumber(_ text: String) -> Int? {
    text.lowercased().hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
}

struct Address: ExpressibleByArgument {
    var value: UInt8
    init?(argument: String) {
        guard let n = parseNumber(argument), (1...247).contains(n) else { return nil }
        value = UInt8(n)
    }
}

struct Register: ExpressibleByArgument {
    var value: UInt16
    init?(argument: String) {
        guard let n = parseNumber(argument), (0...0xFFFF).contains(n) else { return nil }
        value = UInt16(n)
    }
}
