import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("oht50d doctor")
    struct DoctorTests {
        struct Result {
            var exit: Int32?
            var result: String
            var checks: [(name: String, status: String, found: String, fix: String?)]
            func status(_ name: String) -> String? { checks.first { $0.name == name }?.status }
        }

        func doctor(_ config: String, _ extra: [String] = ["--json"]) throws -> (Result?, String) {
            let run = try ChildProcess.oht50d(arguments: ["doctor", "--config", config] + extra)
            let exit = run.waitForExit()
            guard extra.contains("--json"), let body = try JSONSerialization.jsonObject(with: Data(run.log.utf8)) as? [String: Any] else {
                return (nil, run.log)
            }
            let checks = (body["checks"] as? [[String: Any]] ?? []).map {
                (
                    name: $0["name"] as? String ?? "", status: $0["status"] as? String ?? "", found: $0["found"] as? String ?? "",
                    fix: $0["fix"] as? String
                )
            }
            #expect(body["exit_code"] as? Int == exit.map(Int.init), "the JSON's exit code is the process's")
            return (Result(exit: exit, result: body["result"] as? String ?? "", checks: checks), run.log)
        }

        /// A vehicle whose lines and data directory are all there: sysfs-style files with direction files.
        func soundVehicle(_ dir: TemporaryDirectory, extra: String = "") -> String {
            let estop = dir.write("gpio59/value", "1\n")
            _ = dir.write("gpio59/direction", "in\n")
            let motion = dir.write("gpio131/value", "0\n")
            _ = dir.write("gpio131/direction", "out\n")
            _ = dir.write("data/.keep", "")
            return dir.write(
                "firmware.yaml",
                """
                estop:
                  sysfs_path: \(estop)
                outputs:
                  motion_enable:
                    backend: sysfs
                    sysfs_path: \(motion)
                modules: []
                storage:
                  data_dir: \(dir.file("data"))
                \(extra)
                """)
        }

        @Test("a sound vehicle has no failure: exit 0, or 1 when only the machine's tuning warns; the text form says the same")
        func soundVehicleExit() throws {
            let dir = TemporaryDirectory()
            let config = soundVehicle(dir)
            let (report, _) = try doctor(config)
            let r = try #require(report)
            #expect(!r.checks.contains { $0.status == "fail" }, "\(r.checks.filter { $0.status == "fail" })")
            #expect(r.exit == (r.checks.contains { $0.status == "warn" } ? 1 : 0))
            for name in [
                "config", "kernel", "cpus", "governor", "idle-states", "limits", "serial-port", "gpio estop", "gpio outputs.motion_enable",
                "data-dir",
            ] {
                #expect(r.status(name) != nil, "no \(name) check")
            }
            #expect(r.status("gpio estop") == "ok" && r.status("gpio outputs.motion_enable") == "ok" && r.status("data-dir") == "ok")
            // Every warning says how to fix it.
            #expect(r.checks.filter { $0.status != "ok" }.allSatisfy { $0.fix != nil })
            let kernel = try #require(r.checks.first { $0.name == "kernel" })
            let realtime = (try? String(contentsOfFile: "/sys/kernel/realtime", encoding: .utf8))?.hasPrefix("1") == true
            #expect(kernel.status == (realtime ? "ok" : "warn") && kernel.found.contains(realtime ? "PREEMPT_RT" : "not PREEMPT_RT"))

            let (_, text) = try doctor(config, [])
            #expect(text.contains("ok   gpio estop") && text.contains("→ exit \(r.exit ?? -1)"))
        }

        @Test("a missing serial port and an output with the wrong direction fail: exit 2, each named with its fix")
        func failures() throws {
            let dir = TemporaryDirectory()
            let config = soundVehicle(dir, extra: "bus:\n  port: \(dir.file("ttyNone"))\n")
            var text = try String(contentsOfFile: config, encoding: .utf8)
            text = text.replacingOccurrences(of: "modules: []\n", with: "")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            _ = dir.write("gpio131/direction", "in\n")
            let (report, _) = try doctor(config)
            let r = try #require(report)
            #expect(r.exit == 2 && r.result == "fail")
            let port = try #require(r.checks.first { $0.name == "serial-port" })
            #expect(port.status == "fail" && port.found.contains("ttyNone") && port.fix?.contains("udev") == true)
            let motion = try #require(r.checks.first { $0.name == "gpio outputs.motion_enable" })
            #expect(motion.status == "fail" && motion.found.contains("direction is in") && motion.fix?.contains("echo out") == true)
        }

        @Test("an input's direction writable by group gpio warns (it could be made an output); an input without edge both warns")
        func gpioModes() throws {
            let dir = TemporaryDirectory()
            let config = soundVehicle(dir)
            _ = dir.write("gpio59/edge", "both\n")
            var (report, _) = try doctor(config)
            var r = try #require(report)
            #expect(r.status("gpio estop") == "ok")
            #expect(r.checks.first { $0.name == "gpio estop" }?.found.contains("edge both") == true)

            chmod(dir.file("gpio59/direction"), 0o664)
            (report, _) = try doctor(config)
            r = try #require(report)
            let writable = try #require(r.checks.first { $0.name == "gpio estop" })
            #expect(writable.status == "warn" && writable.found.contains("writable by others than root"), "\(writable)")
            #expect(writable.fix?.contains("export-gpio") == true)

            chmod(dir.file("gpio59/direction"), 0o644)
            _ = dir.write("gpio59/edge", "none\n")
            (report, _) = try doctor(config)
            r = try #require(report)
            let noEdge = try #require(r.checks.first { $0.name == "gpio estop" })
            #expect(noEdge.status == "warn" && noEdge.found.contains("shorter than a cycle"), "\(noEdge)")
        }

        @Test("a config that does not load fails the config check (exit 2) and the other checks still run on the defaults")
        func badConfig() throws {
            let dir = TemporaryDirectory()
            let config = dir.write("firmware.yaml", "safety:\n  cycle_ms: fast\n")
            let (report, _) = try doctor(config)
            let r = try #require(report)
            #expect(r.exit == 2)
            let check = try #require(r.checks.first)
            #expect(
                check.name == "config" && check.status == "fail" && check.found.contains("safety.cycle_ms")
                    && check.found.contains("built-in defaults"))
            #expect(r.checks.count > 5)
        }
    }
}
