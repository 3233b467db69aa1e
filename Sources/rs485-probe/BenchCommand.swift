import ArgumentParser
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Repeat a read: success, loss, latency p50/p95/p99/max, errors by class.",
        discussion: "Example: rs485-probe bench --addr 3 --count 1000 --json")

    @OptionGroup var bus: ProbeOptions
    @Option var addr: Address
    @Option var count = 100
    @Option var start: Register = Register(argument: "0")!
    @Option(name: .customLong("registers"), help: "Registers per read.") var registerCount = 8

    struct Report: Encodable {
        var address: Int
        var transactions: Int
        var ok: Int
        var lossPercent: Double
        var latencyMs: [String: Double]
        var errors: [String: Int]
        /// Wall time of the whole run, t3.5 gaps included, and transactions per second over it.
        var elapsedS: Double
        var perSecond: Double
    }

    func run() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        let master = try bus.open()
        var latencies: [Double] = []
        var errors = ["timeout": 0, "crc": 0, "exception": 0, "other": 0]
        let started = ContinuousClock.now
        for _ in 0..<count {
            let t = Transaction.read(master, address: addr.value, start: start.value, count: registerCount, retries: bus.retries)
            if t.ok { latencies.append(t.latencyMs) } else { errors[t.outcome == "port_lost" ? "other" : t.outcome, default: 0] += 1 }
        }
        let elapsed = started.duration(to: .now)
        let elapsedS = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        latencies.sort()
        let pick = { (p: Double) -> Double in
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
        }
        let report = Report(
            address: Int(addr.value), transactions: count, ok: latencies.count,
            lossPercent: Double(count - latencies.count) * 100 / Double(count),
            latencyMs: ["p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": latencies.last ?? 0], errors: errors,
            elapsedS: elapsedS, perSecond: Double(count) / max(elapsedS, 1e-9))
        switch bus.format {
        case .json: Output.json(report)
        case .csv:
            Output.csv([
                [
                    "address", "transactions", "ok", "loss_percent", "p50_ms", "p95_ms", "p99_ms", "max_ms", "timeouts", "crc",
                    "exceptions", "other",
                ],
                ["\(report.address)", "\(count)", "\(report.ok)", String(printf: "%.2f", report.lossPercent)]
                    + ["p50", "p95", "p99", "max"].map { String(printf: "%.3f", report.latencyMs[$0] ?? 0) }
                    + ["timeout", "crc", "exception", "other"].map { "\(errors[$0] ?? 0)" },
            ])
        case .text:
            Output.line(
                "SUMMARY addr=\(addr.value) ok=\(report.ok)/\(count) loss=\(String(printf: "%.2f", report.lossPercent))% "
                    + "p50=\(String(printf: "%.2f", pick(0.5)))ms p95=\(String(printf: "%.2f", pick(0.95)))ms "
                    + "p99=\(String(printf: "%.2f", pick(0.99)))ms max=\(String(printf: "%.2f", latencies.last ?? 0))ms "
                    + "timeouts=\(errors["timeout"]!) crc=\(errors["crc"]!) exceptions=\(errors["exception"]!) other=\(errors["other"]!) "
                    + "rate=\(String(printf: "%.0f", report.perSecond))/s")
        }
        if latencies.count < count { throw ExitCode(1) }
    }
}
