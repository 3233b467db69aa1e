import ArgumentParser
import OHT50Core
import OHT50IO

/// Options every subcommand takes: where the bus is and how to report.
struct ProbeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serial port.", valueName: "path"))
    var port = "/dev/ttyOHT485"

    @Option(help: "Baud rate.")
    var baud = 115_200

    @Option(help: "Parity: none, even, odd.")
    var parity = "none"

    @Option(help: ArgumentHelp("Response timeout in milliseconds.", valueName: "ms"))
    var timeout = 100

    @Option(help: "Retries after a failed transaction (the daemon never retries; 0 shows the bus as it is).")
    var retries = 0

    @Option(help: ArgumentHelp("Modbus TCP gateway instead of the serial port.", valueName: "host:port"))
    var tcp: String?

    @Flag(help: "Machine-readable JSON output.")
    var json = false

    @Flag(help: "CSV output.")
    var csv = false

    func validate() throws {
        guard BusSettings.Parity(rawValue: parity) != nil else { throw ValidationError("--parity must be none, even or odd") }
        guard (1...10_000).contains(timeout) else { throw ValidationError("--timeout must be 1–10000 ms") }
        guard (0...10).contains(retries) else { throw ValidationError("--retries must be 0–10") }
        guard !(json && csv) else { throw ValidationError("choose --json or --csv, not both") }
        if let tcp, BusSettings.tcpEndpoint("tcp://" + tcp) == nil { throw ValidationError("--tcp must be HOST:PORT") }
    }

    var format: OutputFormat { json ? .json : (csv ? .csv : .text) }

    /// Opens the bus; exits 3 when another process holds the port, 4 when it is missing or unusable.
    func open(timeoutMs: Int? = nil, baud overrideBaud: Int? = nil) throws -> ModbusMaster {
        do {
            return try openMaster(timeoutMs: timeoutMs ?? timeout, baud: overrideBaud ?? baud)
        } catch {
            Output.error("rs485-probe: \(error)")
            if case .busy = error { throw ExitCode(3) }
            throw ExitCode(4)
        }
    }

    private func openMaster(timeoutMs: Int, baud: Int) throws(BusOpenError) -> ModbusMaster {
        var settings = BusSettings()
        settings.port = tcp.map { "tcp://" + $0 } ?? port
        settings.baud = baud
        settings.parity = BusSettings.Parity(rawValue: parity) ?? .none
        settings.responseTimeoutMs = timeoutMs
        return try VehicleOpener.bus(settings)
    }
}

enum OutputFormat { case text, json, csv }
