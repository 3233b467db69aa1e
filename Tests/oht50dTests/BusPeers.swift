import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

/// Real processes for bus tests: socat pty pairs, the pymodbus server, oht50-sim, and a daemon whose
/// config points its bus at one of them.
enum BusPeers {
    static func socatPair(_ dir: TemporaryDirectory) throws -> (process: ChildProcess, daemonSide: String, peerSide: String) {
        let a = dir.file("ttyA")
        let b = dir.file("ttyB")
        let socat = try ChildProcess(executable: "/usr/bin/socat", arguments: ["pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        guard eventually({ FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b) }) else {
            throw DaemonClient.Failure(description: "socat did not create \(a) and \(b): \(socat.log)")
        }
        return (socat, a, b)
    }

    static func pymodbusServer(port: String, arguments: [String] = []) throws -> ChildProcess {
        let server = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_server.py", port] + arguments)
        guard server.waitForLog("pymodbus server on") else {
            throw DaemonClient.Failure(description: "pymodbus server did not start: \(server.log)")
        }
        return server
    }

    static func simulator(link: String, modules: String = "power@2,motor@3") throws -> ChildProcess {
        let sim = try ChildProcess(executable: ChildProcess.productPath("oht50-sim"), arguments: ["--link", link, "--modules", modules])
        guard sim.waitForLog("oht50-sim: ") else { throw DaemonClient.Failure(description: "oht50-sim did not start: \(sim.log)") }
        return sim
    }

    static let token = "bus-test-token-0123456789abcdef"

    /// A daemon with file-backed E-stop and motion-enable and its bus on `port`.
    /// - Parameter modules: YAML for `modules:`; nil keeps the default (power@2, motor@3).
    static func daemon(_ dir: TemporaryDirectory, port: String, responseTimeoutMs: Int = 200, modules: String? = nil) throws
        -> (ChildProcess, DaemonClient)
    {
        let estop = dir.write("gpio59/value", "1\n")
        let motion = dir.write("gpio131/value", "0\n")
        let config = dir.write(
            "firmware.yaml",
            """
            estop: {backend: sysfs, sysfs_path: "\(estop)"}
            outputs:
              motion_enable: {backend: sysfs, sysfs_path: "\(motion)"}
            bus: {port: "\(port)", response_timeout_ms: \(responseTimeoutMs), comm_loss_after: 3}
            http: {port: 0, reset_min_interval_ms: 0}
            storage: {data_dir: "\(dir.file("data"))"}
            """ + (modules.map { "\nmodules: \($0)\n" } ?? ""))
        let daemon = try ChildProcess.oht50d(
            arguments: ["--config", config, "--control-socket", dir.file("control.sock")], environment: ["OHT50_API_TOKEN": token])
        guard let httpPort = daemon.httpPort() else { throw DaemonClient.Failure(description: "daemon did not listen: \(daemon.log)") }
        return (daemon, DaemonClient(port: httpPort))
    }
}

extension DaemonClient {
    func state() -> String? { (try? get("/api/v1/safety/status").json)?["state"] as? String }

    func causes() -> [String] { ((try? get("/api/v1/safety/status").json)?["causes"] as? [String]) ?? [] }

    func reset(body: String = "") throws -> Answer {
        try post("/api/v1/safety/reset", body: body, headers: ["Authorization": "Bearer \(BusPeers.token)"])
    }

    /// Resets until accepted (the E-stop release timer runs from boot); on failure records why.
    func resetUntilReady() -> Bool {
        var last: Answer?
        let accepted = eventually(timeout: .seconds(20), poll: .milliseconds(100)) {
            last = try? reset()
            return last?.status == 200
        }
        if !accepted { Issue.record("reset never accepted; last answer: \(last?.status ?? 0) \(last?.body ?? "none")") }
        return accepted
    }

    func module(_ address: Int) -> [String: Any]? {
        let modules = (try? get("/api/v1/telemetry/current").json)?["modules"] as? [[String: Any]]
        return modules?.first { $0["address"] as? Int == address }
    }

    func value(_ address: Int, _ name: String) -> Double? {
        ((module(address)?["values"] as? [String: Any])?[name] as? [String: Any])?["value"] as? Double
    }
}
