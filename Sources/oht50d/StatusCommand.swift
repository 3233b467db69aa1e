import ArgumentParser
import Foundation
import OHT50Client

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
            let combined: [String: Any] = ["health": health.json, "safety": safety.json, "modules": modules.json["modules"] ?? []]
            let data = try JSONSerialization.data(withJSONObject: combined, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            Self.screen(
                url: daemon.url, health: health.json, safety: safety.json, modules: modules.json["modules"] as? [[String: Any]] ?? []))
    }

    static func screen(url: String, health: [String: Any], safety s: [String: Any], modules: [[String: Any]]) -> String {
        func field(_ name: String, _ value: String) -> String { name.padding(toLength: 12, withPad: " ", startingAt: 0) + value }
        let estop = s["estop"] as? [String: Any] ?? [:]
        let causes = s["causes"] as? [String] ?? []
        var lines = [
            "oht50d at \(url): \(health["status"] as? String ?? "?")"
                + ((health["problems"] as? [String]).map { " (\($0.joined(separator: ", ")))" } ?? "")
        ]
        lines.append(
            field(
                "state",
                ((s["state"] as? String) ?? "?").uppercased()
                    + "  since \(s["since"] as? String ?? "?") (\(Double(s["in_state_ms"] as? Int ?? 0) / 1000) s)"))
        lines.append(field("causes", causes.isEmpty ? "none" : causes.joined(separator: ", ")))
        let level = (estop["input_fault"] as? Bool == true) ? "UNREADABLE" : ((estop["pressed"] as? Bool == true) ? "PRESSED" : "released")
        lines.append(field("E-stop", "\(level) — \(estop["input"] as? String ?? "")"))
        for channel in estop["channels"] as? [[String: Any]] ?? [] {
            let open =
                (channel["input_fault"] as? Bool == true) ? "UNREADABLE" : ((channel["pressed"] as? Bool == true) ? "OPEN" : "closed")
            lines.append(field("  channel \(channel["channel"] as? Int ?? 0)", "\(open) — \(channel["input"] as? String ?? "")"))
        }
        if let d = estop["discrepancy"] as? [String: Any], d["latched"] as? Bool == true {
            lines.append(field("", "DISCREPANCY latched: press the E-stop and release it (both channels open, then close together)"))
        }
        if let k = s["contactor"] as? [String: Any] {
            let fault = k["fault"] as? String ?? "none"
            lines.append(
                field(
                    "contactor",
                    "reads \(k["reads"] as? String ?? "?"), expected \(k["expected"] as? String ?? "?")"
                        + (fault == "none" ? "" : " — FAULT \(fault)") + " — \(k["input"] as? String ?? "")"))
        }
        lines.append(field("motion", (s["motion_enable_output"] as? Bool == true) ? "enable ON" : "enable off"))
        let reasons = s["reset_blocked_by"] as? [[String: Any]] ?? []
        if reasons.isEmpty {
            lines.append(field("reset", "would be accepted (oht50d reset)"))
        } else {
            lines.append(field("reset", "would be refused:"))
            for r in reasons { lines.append(field("", "- \(r["code"] as? String ?? ""): \(r["message"] as? String ?? "")")) }
        }
        if let trip = s["last_trip"] as? [String: Any] {
            lines.append(
                field(
                    "last trip",
                    "\((trip["causes"] as? [String] ?? []).joined(separator: ", ")) at \(trip["at"] as? String ?? "") from "
                        + "\(trip["from"] as? String ?? "")"
                ))
        }
        for m in modules {
            let name = "\(m["type"] as? String ?? "?")@\(m["address"] as? Int ?? 0)"
            var state = [
                (m["online"] as? Bool == true) ? "online" : "OFFLINE", (m["healthy"] as? Bool == true) ? "healthy" : "NOT HEALTHY",
            ]
            if let alarm = m["alarm"] as? String { state.append("ALARM \(alarm)") }
            if m["stop_unconfirmed"] as? Bool == true { state.append("STOP NOT CONFIRMED") }
            let values = (m["values"] as? [String: [String: Any]] ?? [:]).sorted { $0.key < $1.key }
                .filter {
                    ["voltage", "current", "temperature", "motor1_actual_speed", "motor1_commanded_speed", "motor1_error"].contains($0.key)
                }
                .map { "\($0.key) \($0.value["value"] ?? "") \($0.value["unit"] as? String ?? "")".trimmingCharacters(in: .whitespaces) }
            lines.append(field(name, state.joined(separator: ", ") + (values.isEmpty ? "" : "; " + values.joined(separator: ", "))))
        }
        return lines.joined(separator: "\n")
    }
}
