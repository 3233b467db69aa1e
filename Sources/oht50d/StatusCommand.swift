import ArgumentParser
import FoundationEssentials
import OHT50Client
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d status`: one screen on what the running daemon says — state, causes, E-stop, motion-enable,
/// why a reset would be refused, the modules. `--json` for scripts. Exit 0, or 69 when unreachable.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running daemon's safety state, reset reasons and modules.",
        discussion: "Exit codes: 0 answered (whatever the state), 69 the daemon is not reachable.")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print {health, safety, modules} as JSON.") var json = false

    func run() throws {
        let daemon = try client.client()
        let safety: DaemonClient.Answer
        let health: DaemonClient.Answer
        let modules: DaemonClient.Answer
        do {
            health = try daemon.request("GET", "/health")
            safety = try daemon.request("GET", "/api/v1/safety/status")
            modules = try daemon.request("GET", "/api/v1/telemetry/current")
        } catch {
            printError("oht50d: \(error)")
            throw ExitStatus.hardwareMissing
        }
        if json {
            let combined = JSONValue.object([
                "health": health.value, "safety": safety.value, "modules": modules.value["modules"] ?? .array([]),
            ])
            print(combined.text)
            return
        }
        print(Self.screen(url: daemon.url, health: health.value, safety: safety.value, modules: modules.value["modules"]?.array ?? []))
    }

    static func screen(url: String, health: JSONValue, safety s: JSONValue, modules: [JSONValue]) -> String {
        func field(_ name: String, _ value: String) -> String { name.padded(to: 12) + value }
        let estop = s["estop"]
        let causes = s["causes"]?.strings ?? []
        var lines = [
            "oht50d at \(url): \(health["status"]?.string ?? "?")"
                + (health["problems"]?.strings.map { " (\($0.joined(separator: ", ")))" } ?? "")
        ]
        lines.append(
            field(
                "state",
                (s["state"]?.string ?? "?").uppercased()
                    + "  since \(s["since"]?.string ?? "?") (\(Double(s["in_state_ms"]?.int ?? 0) / 1000) s)"))
        lines.append(field("causes", causes.isEmpty ? "none" : causes.joined(separator: ", ")))
        let level = (estop["input_fault"]?.bool == true) ? "UNREADABLE" : ((estop["pressed"]?.bool == true) ? "PRESSED" : "released")
        lines.append(field("E-stop", "\(level) — \(estop["input"]?.string ?? "")"))
        for channel in estop["channels"]?.array ?? [] {
            let open = (channel["input_fault"]?.bool == true) ? "UNREADABLE" : ((channel["pressed"]?.bool == true) ? "OPEN" : "closed")
            lines.append(field("  channel \(channel["channel"]?.int ?? 0)", "\(open) — \(channel["input"]?.string ?? "")"))
        }
        if estop["discrepancy"]["latched"]?.bool == true {
            lines.append(field("", "DISCREPANCY latched: press the E-stop and release it (both channels open, then close together)"))
        }
        if let k = s["contactor"], k != .null {
            let fault = k["fault"]?.string ?? "none"
            lines.append(
                field(
                    "contactor",
                    "reads \(k["reads"]?.string ?? "?"), expected \(k["expected"]?.string ?? "?")"
                        + (fault == "none" ? "" : " — FAULT \(fault)") + " — \(k["input"]?.string ?? "")"))
        }
        lines.append(field("motion", (s["motion_enable_output"]?.bool == true) ? "enable ON" : "enable off"))
        let reasons = s["reset_blocked_by"]?.array ?? []
        if reasons.isEmpty {
            lines.append(field("reset", "would be accepted (oht50d reset)"))
        } else {
            lines.append(field("reset", "would be refused:"))
            for r in reasons { lines.append(field("", "- \(r["code"]?.string ?? ""): \(r["message"]?.string ?? "")")) }
        }
        if let trip = s["last_trip"], trip != .null {
            lines.append(
                field(
                    "last trip",
                    "\((trip["causes"]?.strings ?? []).joined(separator: ", ")) at \(trip["at"]?.string ?? "") from "
                        + "\(trip["from"]?.string ?? "")"
                ))
        }
        for m in modules {
            let name = "\(m["type"]?.string ?? "?")@\(m["address"]?.int ?? 0)"
            var state = [(m["online"]?.bool == true) ? "online" : "OFFLINE", (m["healthy"]?.bool == true) ? "healthy" : "NOT HEALTHY"]
            if let alarm = m["alarm"]?.string { state.append("ALARM \(alarm)") }
            if m["stop_unconfirmed"]?.bool == true { state.append("STOP NOT CONFIRMED") }
            if m["standstill_overdue"]?.bool == true { state.append("STILL TURNING AFTER ITS STOP") }
            if m["not_following"]?.bool == true { state.append("SPEED NOT FOLLOWING ITS MOVE") }
            let shown: Set = ["voltage", "current", "temperature", "motor1_actual_speed", "motor1_commanded_speed", "motor1_error"]
            let values = (m["values"]?.object ?? [:]).sorted { $0.key < $1.key }
                .filter { shown.contains($0.key) }
                .map { "\($0.key) \($0.value["value"]?.display ?? "") \($0.value["unit"]?.string ?? "")".trimmed }
            lines.append(field(name, state.joined(separator: ", ") + (values.isEmpty ? "" : "; " + values.joined(separator: ", "))))
        }
        return lines.joined(separator: "\n")
    }
}
