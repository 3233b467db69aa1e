import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// Issue 29: the real daemon with a two-channel E-stop (NC channel active-low, NO channel active-high:
    /// complementary) and the motion-enable relay's feedback contact, all as sysfs value files. The test
    /// plays the contactor: it writes the feedback after it reads motion-enable, so pull-in and drop-out
    /// times are generous (5 s), and the discrepancy time is 1 s so that the test's two writes "together"
    /// stay together on a loaded machine — what is checked is what the daemon decides, not how fast.
    @Suite("two-channel E-stop and contactor feedback, on the daemon")
    struct SafetyRelayDaemonTests {
        /// The lines as value files (channel 1 released, channel 2 released, feedback dropped out, motion-enable
        /// off) and a configuration naming them.
        static func wire(_ dir: TemporaryDirectory) -> String {
            let ch1 = dir.write("gpio59/value", "1\n")
            let ch2 = dir.write("gpio60/value", "0\n")
            let feedback = dir.write("gpio61/value", "1\n")
            let motion = dir.write("gpio131/value", "0\n")
            return dir.write(
                "firmware.yaml",
                """
                estop:
                  channels:
                    - {backend: sysfs, sysfs_path: "\(ch1)", active_low: true}
                    - {backend: sysfs, sysfs_path: "\(ch2)", active_low: false}
                  discrepancy_ms: 1000
                outputs:
                  motion_enable:
                    backend: sysfs
                    sysfs_path: "\(motion)"
                    feedback: {backend: sysfs, sysfs_path: "\(feedback)", pull_in_ms: 5000, drop_out_ms: 5000}
                modules: []
                http: {port: 0, reset_min_interval_ms: 0}
                storage: {data_dir: "\(dir.file("data"))"}
                safety: {max_stall_ms: 1000}
                """)
        }

        struct Vehicle {
            let dir: TemporaryDirectory
            let daemon: ChildProcess
            let http: DaemonClient

            init(_ name: String) throws {
                try self.init(dir: TemporaryDirectory(name))
            }

            /// A daemon on `dir`'s lines and data (a restart uses the same directory).
            init(dir: TemporaryDirectory) throws {
                self.dir = dir
                let config = SafetyRelayDaemonTests.wire(dir)
                daemon = try ChildProcess.oht50d(
                    arguments: ["--config", config, "--control-socket", dir.file("control.sock")],
                    environment: ["OHT50_API_TOKEN": BusPeers.token])
                guard let port = daemon.httpPort() else { throw DaemonClient.Failure(description: "daemon did not listen: \(daemon.log)") }
                http = DaemonClient(port: port)
            }

            var status: [String: Any] { (try? http.get("/api/v1/safety/status").json) ?? [:] }
            var motionEnable: Bool { dir.read("gpio131/value") == "1\n" }

            /// A healthy contactor: once motion-enable reads `on`, the feedback shows it.
            func contactorFollows(_ on: Bool) -> Bool {
                guard eventually({ motionEnable == on }) else { return false }
                dir.replace("gpio61/value", on ? "0\n" : "1\n")
                return true
            }

            func press(first: Bool, second: Bool) {
                dir.replace("gpio59/value", first ? "0\n" : "1\n")
                dir.replace("gpio60/value", second ? "1\n" : "0\n")
            }

            /// Both channels as the daemon shows them: a press must be seen on both before its release, or it
            /// is a press that did not open both (estop_discrepancy).
            var channelsShown: [Bool?] {
                ((status["estop"] as? [String: Any])?["channels"] as? [[String: Any]])?.map { $0["pressed"] as? Bool } ?? []
            }

            /// The codes of a refused reset (`{"error": {"reasons": [...]}}`).
            func reasons(_ answer: DaemonClient.Answer) -> [String] {
                (((answer.json["error"] as? [String: Any])?["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
            }
        }

        @Test(
            "one channel opening trips; channels disagreeing past discrepancy_ms latch estop_discrepancy until both open and close together"
        )
        func discrepancy() throws {
            let v = try Vehicle("oht50-relay-channels")
            defer { _ = v.daemon.terminate() }
            #expect(v.http.resetUntilReady())
            #expect(v.contactorFollows(true))
            #expect(v.http.state() == "ready")

            // The NO channel (2) alone: a trip at once, and the channel named.
            v.press(first: false, second: true)
            #expect(eventually { v.http.state() == "estop" })
            #expect(v.contactorFollows(false))
            let channels = try #require((v.status["estop"] as? [String: Any])?["channels"] as? [[String: Any]])
            #expect(channels.map { $0["pressed"] as? Bool } == [false, true])
            #expect(eventually { v.http.causes().contains("estop_discrepancy") })

            // Released again: still a fault, and the reset says why.
            v.press(first: false, second: false)
            #expect(eventually { v.http.state() == "fault" })
            let refused = try v.http.reset()
            #expect(refused.status == 409)
            #expect(v.reasons(refused).contains("estop_discrepancy"), "\(refused.body)")
            let screen = try ChildProcess.oht50d(arguments: ["status", "--url", "http://127.0.0.1:\(v.http.port)"])
            #expect(screen.waitForExit() == 0)
            #expect(screen.log.contains("channel 2") && screen.log.contains("DISCREPANCY latched"), "\(screen.log)")
            #expect(screen.log.contains("contactor   reads dropped_out, expected dropped_out"), "\(screen.log)")

            // Both open, then both closed: the fault clears and a reset is accepted.
            v.press(first: true, second: true)
            #expect(
                eventually {
                    (v.status["estop"] as? [String: Any])?["discrepancy"].flatMap { ($0 as? [String: Any])?["both_open_seen"] as? Bool }
                        == true
                })
            v.press(first: false, second: false)
            #expect(eventually { v.http.state() == "latched" })
            #expect(v.http.resetUntilReady())

            let events = try v.http.get("/api/v1/events?limit=100").json["events"] as? [[String: Any]] ?? []
            let trips = events.filter { $0["kind"] as? String == "trip" }
            #expect(trips.contains { ($0["detail"] as? String)?.contains("estop_channels_open=2") == true }, "\(trips)")
            let metrics = try v.http.get("/metrics").body
            #expect(metrics.contains(#"oht50_estop_channel_pressed{channel="2"} 0"#), "\(metrics)")

            // The first trip's recording has the second channel and the feedback beside channel 1.
            var samples: [String: Any] = [:]
            #expect(
                eventually {
                    let listed = (try? v.http.get("/api/v1/trips").json["trips"] as? [[String: Any]]) ?? []
                    guard let id = listed.first?["id"] as? Int else { return false }
                    samples = (try? v.http.get("/api/v1/trips/\(id)").json["samples"] as? [String: Any]) ?? [:]
                    return !samples.isEmpty
                })
            let second = samples["estop_second_raw"] as? [Int] ?? []
            #expect(second.first == 0 && second.last == 1, "channel 2 released before the trip, pressed at it: \(second)")
            #expect((samples["feedback_raw"] as? [Int])?.last == 0, "pulled in at the trip: \(samples["feedback_raw"] ?? "none")")
            #expect((samples["estop_raw"] as? [Int])?.allSatisfy { $0 == 1 } == true)
        }

        @Test(
            "a welded contactor: reset refused contactor_not_dropped_out, then output_fault naming the feedback; repaired, only a reset acknowledging it works"
        )
        func weldedContactor() throws {
            let v = try Vehicle("oht50-relay-welded")
            defer { _ = v.daemon.terminate() }
            #expect(v.http.resetUntilReady())
            #expect(v.contactorFollows(true))

            // E-stop pressed and released; the relay's contacts stay welded (feedback pulled in).
            v.press(first: true, second: true)
            #expect(eventually { !v.motionEnable && v.channelsShown == [true, true] })
            v.press(first: false, second: false)
            #expect(eventually { v.http.state() == "latched" })
            let early = try v.http.reset()
            #expect(early.status == 409)
            #expect(v.reasons(early).contains("contactor_not_dropped_out"), "\(early.body)")

            #expect(eventually(timeout: .seconds(20)) { v.http.causes().contains("output_fault") })
            let contactor = try #require(v.status["contactor"] as? [String: Any])
            #expect(contactor["reads"] as? String == "pulled_in")
            #expect(contactor["fault"] as? String == "not_dropped_out")
            let blocked = (v.status["reset_blocked_by"] as? [[String: Any]]) ?? []
            let message = blocked.first { $0["code"] as? String == "output_fault" }?["message"] as? String
            #expect(message?.contains("outputs.motion_enable.feedback") == true, "\(blocked)")
            #expect(try v.http.get("/metrics").body.contains("oht50_contactor_pulled_in 1"))

            // Repaired: the feedback drops out, but the fault stays latched until a reset names it.
            v.dir.replace("gpio61/value", "1\n")
            #expect(eventually { (v.status["contactor"] as? [String: Any])?["reads"] as? String == "dropped_out" })
            #expect(v.http.state() == "fault")
            let plain = try v.http.reset()
            #expect(plain.status == 409)
            #expect(plain.body.contains("--acknowledge contactor_feedback"), "\(plain.body)")
            let wrong = try v.http.reset(body: #"{"acknowledge":["estop"]}"#)
            #expect(wrong.status == 400 && wrong.body.contains("contactor_feedback"), "\(wrong.body)")
            let reset = try ChildProcess.oht50d(arguments: [
                "reset", "--socket", v.dir.file("control.sock"), "--acknowledge", "contactor_feedback",
            ])
            #expect(reset.waitForExit() == 0, "\(reset.log)")
            #expect(v.http.state() == "ready")
            let events = try v.http.get("/api/v1/events?limit=200").json["events"] as? [[String: Any]] ?? []
            let accepted = events.last { $0["kind"] as? String == "reset_accepted" }
            #expect(accepted?["detail"] as? String == "acknowledged=contactor_feedback feedback=not_dropped_out", "\(accepted ?? [:])")
            #expect((accepted?["source"] as? String)?.contains("control socket") == true, "\(accepted ?? [:])")
        }
        @Test(
            "a latched discrepancy and a latched contactor fault survive kill -9 and a restart: not a plain reset, but a press and an acknowledgement"
        )
        func latchesSurviveARestart() throws {
            var v = try Vehicle("oht50-relay-restart")
            defer { _ = v.daemon.terminate() }
            #expect(v.http.resetUntilReady())
            #expect(v.contactorFollows(true))
            // Channel 2 alone, held past discrepancy_ms: estop_discrepancy latched; then the relay dies (dead coil).
            v.press(first: false, second: true)
            #expect(eventually { v.http.causes().contains("estop_discrepancy") })
            v.press(first: false, second: false)
            #expect(eventually { v.http.state() == "fault" })
            #expect(
                eventually {
                    let events = (try? v.http.get("/api/v1/events?limit=200").json["events"] as? [[String: Any]]) ?? []
                    return events.contains {
                        $0["kind"] as? String == "trip" && ($0["causes"] as? [String])?.contains("estop_discrepancy") == true
                    }
                })
            v.daemon.kill9()

            v = try Vehicle(dir: v.dir)
            #expect(eventually { v.http.state() == "fault" && v.http.causes().contains("estop_discrepancy") }, "\(v.status)")
            #expect(v.daemon.waitForLog("estop_discrepancy latched before this start"))
            let refused = try v.http.reset()
            #expect(refused.status == 409 && v.reasons(refused).contains("estop_discrepancy"), "\(refused.body)")
            // The press and release that clear it, then a reset as usual.
            v.press(first: true, second: true)
            #expect(eventually { v.channelsShown == [true, true] })
            v.press(first: false, second: false)
            #expect(eventually { v.http.state() == "latched" })
            #expect(v.http.resetUntilReady())

            // Ready, the feedback never pulls in (a dead coil): not_pulled_in after pull_in_ms, then kill -9 again.
            // pull_in_ms (5 s) of motion-enable on; a trip of another cause on a loaded machine turns it off first, and
            // then the reset is simply given again.
            #expect(
                eventually(timeout: .seconds(90), poll: .milliseconds(200)) {
                    if v.http.state() == "latched" { _ = try? v.http.reset() }
                    return (v.status["contactor"] as? [String: Any])?["fault"] as? String == "not_pulled_in"
                })
            // What a restart knows is what the event log has: the trip's event stored first (a kill between the trip and
            // its commit, milliseconds, is in docs/single-faults.md "Open").
            #expect(
                eventually {
                    let events = (try? v.http.get("/api/v1/events?limit=200").json["events"] as? [[String: Any]]) ?? []
                    return events.contains {
                        $0["kind"] as? String == "trip" && ($0["detail"] as? String)?.contains("feedback=not_pulled_in") == true
                    }
                })
            v.daemon.kill9()
            v = try Vehicle(dir: v.dir)
            #expect(eventually { v.http.state() == "fault" && v.http.causes().contains("output_fault") }, "\(v.status)")
            #expect(v.daemon.waitForLog("contactor feedback fault not_pulled_in latched before this start"))
            let plain = try v.http.reset()
            #expect(plain.status == 409 && v.reasons(plain).contains("output_fault"), "\(plain.body)")
            // The release time runs from the start: acknowledged resets until accepted.
            var last: DaemonClient.Answer?
            #expect(
                eventually(timeout: .seconds(20), poll: .milliseconds(100)) {
                    last = try? v.http.reset(body: #"{"acknowledge":["contactor_feedback"]}"#)
                    return last?.status == 200
                }, "\(last?.body ?? "")")
        }

        @Test("doctor checks both channels and the feedback; export-gpio names them; safe-off fails on a welded contact, naming it")
        func toolsKnowTheLines() throws {
            let dir = TemporaryDirectory("oht50-relay-tools")
            let config = Self.wire(dir)
            let doctor = try ChildProcess.oht50d(arguments: ["doctor", "--config", config, "--json"])
            _ = doctor.waitForExit()
            let report = try JSONSerialization.jsonObject(with: Data(doctor.log.utf8)) as? [String: Any]
            let checks = report?["checks"] as? [[String: Any]] ?? []
            let names = checks.compactMap { $0["name"] as? String }
            #expect(names.contains("gpio estop") && names.contains("gpio estop.channels[1]"), "\(names)")
            #expect(names.contains("gpio outputs.motion_enable.feedback"), "\(names)")
            let feedback = checks.first { $0["name"] as? String == "gpio outputs.motion_enable.feedback" }
            #expect((feedback?["found"] as? String)?.contains(dir.file("gpio61/value")) == true, "\(feedback ?? [:])")

            let export = try ChildProcess.oht50d(arguments: ["export-gpio", "--config", config])
            #expect(export.waitForExit() == 0, "\(export.log)")
            #expect(export.log.contains("\(dir.file("gpio60/value")) is not a /sys/class/gpio/gpioN/value file"), "\(export.log)")
            #expect(export.log.contains("\(dir.file("gpio61/value")) is not a /sys/class/gpio/gpioN/value file"), "\(export.log)")

            let sound = try ChildProcess.oht50d(arguments: ["safe-off", "--config", config, "--data-dir", dir.file("data")])
            #expect(sound.waitForExit() == 0, "\(sound.log)")
            #expect(sound.log.contains("outputs.motion_enable.feedback (sysfs \(dir.file("gpio61/value"))"), "\(sound.log)")
            dir.replace("gpio61/value", "0\n")  // welded: pulled in with motion-enable off
            let welded = try ChildProcess.oht50d(arguments: ["safe-off", "--config", config, "--data-dir", dir.file("data")])
            #expect(welded.waitForExit() == 1, "\(welded.log)")
            #expect(welded.log.contains("still shows the motion-enable relay pulled in 5000 ms after it was turned off: a welded contact"))
            #expect(dir.read("gpio131/value") == "0\n")
        }

        @Test("--simulate with two channels and a feedback: the simulated relay follows motion-enable; welded, it is output_fault")
        func simulatedRelay() throws {
            let dir = TemporaryDirectory("oht50-relay-sim")
            let config = dir.write(
                "relay.yaml",
                """
                estop:
                  channels:
                    - {backend: gpiod, chip: gpiochip1, line: 27}
                    - {backend: gpiod, chip: gpiochip1, line: 28, active_low: false}
                  discrepancy_ms: 1000
                outputs:
                  motion_enable:
                    feedback: {backend: gpiod, chip: gpiochip4, line: 6, drop_out_ms: 2000}
                """)
            let v = try SimulatedVehicleTests.Vehicle(dir: dir, extraArguments: ["--config", config])
            defer { _ = v.daemon.terminate() }
            #expect(v.daemon.log.contains("E-stop channel 2 file \(dir.file("sim/gpio60/value"))"), "\(v.daemon.log)")
            #expect(eventually { v.state() == "latched" } && v.driveStopConfirmed())
            // The release time runs from boot: reset until accepted.
            #expect(eventually(timeout: .seconds(20), poll: .milliseconds(100)) { (try? v.reset(token: v.token))?.status == 200 })
            #expect(eventually { (try? v.status()["contactor"] as? [String: Any])?["reads"] as? String == "pulled_in" })
            #expect(dir.read("sim/gpio61/value") == "0\n")

            dir.replace("sim/contactor-welded", "1\n")
            dir.replace("sim/gpio60/value", "1\n")  // the NO channel: pressed
            dir.replace("sim/gpio59/value", "0\n")
            #expect(
                eventually {
                    v.motionEnable == "0"
                        && ((try? v.status()["estop"] as? [String: Any])?["channels"] as? [[String: Any]])?.map { $0["pressed"] as? Bool }
                            == [true, true]
                })
            dir.replace("sim/gpio59/value", "1\n")
            dir.replace("sim/gpio60/value", "0\n")
            #expect(eventually(timeout: .seconds(20)) { v.http.causes().contains("output_fault") })
            #expect((try v.status()["contactor"] as? [String: Any])?["fault"] as? String == "not_dropped_out")
            dir.replace("sim/contactor-welded", "0\n")
            // Free again, the fault stays latched until a reset acknowledges it by name.
            #expect(eventually { (try? v.status()["contactor"] as? [String: Any])?["reads"] as? String == "dropped_out" })
            #expect(v.state() == "fault")
            let acknowledged = try v.http.post(
                "/api/v1/safety/reset", body: #"{"acknowledge":["contactor_feedback"]}"#,
                headers: ["Authorization": "Bearer \(v.token)"])
            #expect(acknowledged.status == 200, "\(acknowledged.body)")
            #expect(v.state() == "ready")
        }

        @Test(
            "in headless chromium: the page shows both channels, estop_discrepancy and its reason, a welded contactor's refusal and latched fault"
        )
        func pageInABrowser() throws {
            let v = try Vehicle("oht50-relay-page")
            defer { _ = v.daemon.terminate() }
            #expect(eventually { v.http.state() == "latched" })
            let browser = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "python3", ChildProcess.repository + "/tools/peers/browser_check.py", "--relay", "http://127.0.0.1:\(v.http.port)",
                    v.dir.path,
                ],
                environment: ["HOME": v.dir.path])
            #expect(browser.waitForExit(timeout: .seconds(180)) == 0, "\(browser.log)")
            for step in [
                "both channels shown closed", "the discrepancy is shown with its reason", "the reason says what to do",
                "closed together: latched", "reset refused: contactor_not_dropped_out", "output_fault naming the feedback",
                "repaired: the feedback reads dropped out", "still a fault until acknowledged, and the page says how",
            ] {
                #expect(browser.log.contains("ok \(step)"), "missing: \(step)\n\(browser.log)")
            }
        }
    }
}
