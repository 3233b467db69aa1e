import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// Faults injected into oht50-sim from its command line, seen through the real daemon's HTTP API.
    @Suite("Bus faults through oht50-sim")
    struct BusFaultTests {
        @Test(
            "offline, late answers → comm_loss of that module only (late bytes counted); alarm → module_alarm; lone CRC errors: no trip"
        )
        func injectedFaults() throws {
            let dir = TemporaryDirectory("oht50-faults")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let (daemon, http) = try BusPeers.daemon(dir, port: dir.file("tty"))
            defer { _ = daemon.terminate() }
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())

            sim.send("crc 3 40")
            #expect(sim.waitForLog("ok crc 3 40"))
            #expect(
                eventually {
                    let counters = (try? http.get("/api/v1/modules/3").json["counters"]) as? [String: Any]
                    return counters?["crc_errors"] as? Int ?? 0 >= 3
                })
            #expect(http.state() == "ready")
            sim.send("clear 3")

            sim.send("offline 3 on")
            #expect(eventually { http.state() == "fault" })
            #expect(http.causes() == ["comm_loss"])
            #expect((try http.reset()).status == 409)
            #expect(daemon.waitForLog("causes=comm_loss event=trip"))
            sim.send("offline 3 off")
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())

            // Answers later than the response timeout (200 ms here): the late module trips comm_loss, its
            // late bytes are counted and discarded, and the drive polled after it stays online.
            sim.send("delay 2 300")
            #expect(eventually { http.state() == "fault" })
            #expect(http.causes() == ["comm_loss"])
            #expect(http.module(2)?["online"] as? Bool == false)
            #expect(http.module(3)?["online"] as? Bool == true)
            #expect(eventually { (try? http.get("/api/v1/modules").json["late_bytes"]) as? Int ?? 0 > 0 })
            sim.send("clear 2")
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())

            sim.send("alarm 2 0x4")
            #expect(eventually { http.state() == "fault" })
            #expect(http.causes() == ["module_alarm"])
            #expect(http.module(2)?["alarm"] as? String == "power alarm: over_current")
            sim.send("clear 2")
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())
        }

        /// power@2, motor@3 and an optional motor@4 on a simulator, and the daemon polling them; the caller
        /// stops both and keeps the directory (removed when released) until then.
        static func optionalDriveVehicle(_ name: String) throws -> (
            dir: TemporaryDirectory, sim: ChildProcess, daemon: ChildProcess, http: DaemonClient
        ) {
            let dir = TemporaryDirectory(name)
            let sim = try BusPeers.simulator(link: dir.file("tty"), modules: "power@2,motor@3,motor@4")
            do {
                let (daemon, http) = try BusPeers.daemon(
                    dir, port: dir.file("tty"),
                    modules: "[{address: 2, type: power}, {address: 3, type: motor}, {address: 4, type: motor, required: false}]")
                return (dir, sim, daemon, http)
            } catch {
                sim.kill9()
                throw error
            }
        }

        /// Renews a 40 % move, as a backend does, until `condition` holds.
        static func moving(_ http: DaemonClient, until condition: () -> Bool) -> Bool {
            eventually(poll: .milliseconds(100)) {
                _ = try? http.post(
                    "/api/v1/motion/move", body: #"{"speed":40,"direction":"forward"}"#,
                    headers: ["Authorization": "Bearer \(BusPeers.token)"])
                return condition()
            }
        }

        /// Issue 26: the writes to an optional drive used to replace every poll, so the power module went
        /// unpolled and its alarm never tripped a moving vehicle. (An optional drive *offline* while moving
        /// is a comm_loss trip since issue 38: `optionalDriveOfflineWhileMovingTrips`.)
        @Test("moving with an optional drive slow to answer: the power module keeps being polled and its alarm trips module_alarm")
        func powerAlarmWhileMovingWithOptionalDriveSlow() throws {
            let (dir, sim, daemon, http) = try Self.optionalDriveVehicle("oht50-optional")
            defer {
                sim.kill9()
                _ = daemon.terminate()
                withExtendedLifetime(dir) {}
            }
            #expect(http.resetUntilReady())
            sim.send("delay 4 10")
            #expect(sim.waitForLog("ok delay 4 10"))
            func moving(until condition: () -> Bool) -> Bool { Self.moving(http, until: condition) }
            func powerPolls() -> Int {
                ((try? http.get("/api/v1/modules/2").json["counters"]) as? [String: Any])?["transactions"] as? Int ?? 0
            }
            #expect(moving { http.state() == "moving" })
            let before = powerPolls()
            #expect(moving { powerPolls() >= before + 5 })
            #expect(http.state() == "moving")

            sim.send("alarm 2 1")
            #expect(moving { http.state() == "fault" })
            let trip = (try http.get("/api/v1/safety/status").json["last_trip"]) as? [String: Any]
            #expect(trip?["causes"] as? [String] == ["module_alarm"])
            #expect(http.module(2)?["alarm"] as? String == "power alarm: over_voltage")
        }

        /// Issue 38, item 6: an optional drive that goes silent while it is commanded to move.
        @Test("moving, an optional drive goes offline: comm_loss trips and motion-enable is off")
        func optionalDriveOfflineWhileMovingTrips() throws {
            let (dir, sim, daemon, http) = try Self.optionalDriveVehicle("oht50-optional-offline")
            defer {
                sim.kill9()
                _ = daemon.terminate()
                withExtendedLifetime(dir) {}
            }
            #expect(http.resetUntilReady())
            func moving(until condition: () -> Bool) -> Bool { Self.moving(http, until: condition) }
            #expect(moving { http.state() == "moving" })
            sim.send("offline 4 on")
            #expect(moving { http.state() == "fault" })
            let status = try http.get("/api/v1/safety/status").json
            #expect((status["last_trip"] as? [String: Any])?["causes"] as? [String] == ["comm_loss"], "\(status)")
            #expect(status["motion_enable_output"] as? Bool == false)
        }

        /// Issue 38: a speed sensor stuck at 0 would confirm every stop at once; the simulator's `sensor 3 dead`.
        @Test("a dead speed sensor on the simulator: moving trips drive_not_following, named in /api/v1/modules and oht50d status")
        func deadSpeedSensorTrips() throws {
            let dir = TemporaryDirectory("oht50-dead-sensor")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let (daemon, http) = try BusPeers.daemon(
                dir, port: dir.file("tty"),
                modules: "[{address: 2, type: power}, {address: 3, type: motor, stop_within_ms: 300}]")
            defer { _ = daemon.terminate() }
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())
            sim.send("sensor 3 dead")
            #expect(sim.waitForLog("ok sensor 3 dead"))
            #expect(Self.moving(http) { http.state() == "fault" || http.state() == "latched" })
            let status = try http.get("/api/v1/safety/status").json
            #expect((status["last_trip"] as? [String: Any])?["causes"] as? [String] == ["drive_not_following"], "\(status)")
            #expect(status["motion_enable_output"] as? Bool == false)
            #expect(http.module(3)?["not_following"] as? Bool == true)
            #expect(http.module(3)?["healthy"] as? Bool == false)
            #expect(http.module(2)?["not_following"] == nil || http.module(2)?["not_following"] is NSNull)
            #expect(daemon.waitForLog("causes=drive_not_following event=trip"))
            let console = try ChildProcess.oht50d(arguments: ["status", "--url", http.url])
            #expect(console.waitForExit() == 0)
            #expect(console.log.contains("SPEED NOT FOLLOWING ITS MOVE"), "\(console.log)")

            // Mended, the next move shows both speeds: the report clears and nothing trips.
            sim.send("sensor 3 ok")
            #expect(http.resetUntilReady())
            #expect(Self.moving(http) { http.module(3)?["not_following"] as? Bool == false })
            #expect(http.state() == "moving")
        }

        @Test("a port that vanishes trips comm_loss and is reopened when it comes back")
        func vanishedPortIsReopened() throws {
            let dir = TemporaryDirectory("oht50-vanish")
            var sim = try BusPeers.simulator(link: dir.file("tty"))
            let (daemon, http) = try BusPeers.daemon(dir, port: dir.file("tty"))
            defer { _ = daemon.terminate() }
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())

            sim.kill9()
            #expect(eventually { http.state() == "fault" })
            #expect(http.causes().contains("comm_loss"))
            #expect(eventually { (try? http.get("/api/v1/modules").json["connected"]) as? Bool == false })

            sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            #expect(eventually(timeout: .seconds(20)) { http.state() == "latched" })
            #expect((try? http.get("/api/v1/modules").json["connected"]) as? Bool == true)
            #expect(http.resetUntilReady())
        }

        @Test("a port the daemon holds is refused to a second daemon, naming the holder, exit 69")
        func portHeldByDaemon() throws {
            let dir = TemporaryDirectory("oht50-busy")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let (first, _) = try BusPeers.daemon(dir, port: dir.file("tty"))
            defer { _ = first.terminate() }
            let other = TemporaryDirectory("oht50-busy2")
            let estop = other.write("gpio59/value", "1\n")
            let motion = other.write("gpio131/value", "0\n")
            let config = other.write(
                "firmware.yaml",
                "estop: {sysfs_path: \"\(estop)\"}\noutputs: {motion_enable: {sysfs_path: \"\(motion)\"}}\nbus: {port: "
                    + "\"\(dir.file("tty"))\"}\n"
            )
            let second = try ChildProcess.oht50d(
                arguments: ["--config", config, "--data-dir", other.file("data"), "--control-socket", other.file("control.sock")])
            #expect(second.waitForExit() == 69)
            #expect(second.log.contains("is in use by oht50d (pid \(first.process.processIdentifier))"))
            // Held is not late: no wait for it (startup.device_wait_ms is for devices not there yet).
            #expect(!second.log.contains("waiting for a device"), "\(second.log)")
        }

        @Test(
            "a serial port missing at start is waited for: the daemon says what it waits for, drives nothing, comes up latched when it appears"
        )
        func latePortIsWaitedFor() throws {
            let dir = TemporaryDirectory("oht50-late")
            let estop = dir.write("gpio59/value", "1\n")
            // Left on by whatever ran before: the wait must not keep it so.
            let motion = dir.write("gpio131/value", "1\n")
            let config = dir.write(
                "firmware.yaml",
                """
                estop: {backend: sysfs, sysfs_path: "\(estop)"}
                outputs:
                  motion_enable: {backend: sysfs, sysfs_path: "\(motion)"}
                bus: {port: "\(dir.file("tty"))", response_timeout_ms: 200}
                http: {port: 0, reset_min_interval_ms: 0}
                storage: {data_dir: "\(dir.file("data"))"}
                startup: {device_wait_ms: 20000}
                """)
            let daemon = try ChildProcess.oht50d(
                arguments: ["--config", config, "--control-socket", dir.file("control.sock")],
                environment: ["OHT50_API_TOKEN": BusPeers.token])
            defer { _ = daemon.terminate() }
            #expect(daemon.waitForLog("waiting for a device"), "\(daemon.log)")
            #expect(
                daemon.log.contains("RS485 bus (bus.port): \(dir.file("tty")): serial port \(dir.file("tty")) is missing"), "\(daemon.log)")
            #expect(eventually { (try? String(contentsOfFile: motion, encoding: .utf8)) == "0\n" }, "motion-enable turned off for the wait")
            // A reload asked for meanwhile is not an end; a second daemon on the same data directory is refused.
            kill(daemon.process.processIdentifier, SIGHUP)
            let second = try ChildProcess.oht50d(arguments: ["--config", config, "--control-socket", dir.file("second.sock")])
            #expect(second.waitForExit() == 69)
            #expect(
                second.log.contains("another oht50d (pid \(daemon.process.processIdentifier)) runs with this data directory"),
                "\(second.log)")
            #expect(!second.log.contains("waiting for a device"), "\(second.log)")
            #expect(daemon.process.isRunning)
            #expect(daemon.log.components(separatedBy: "waiting for a device").count == 2, "said once, not per attempt: \(daemon.log)")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let http = DaemonClient(port: try #require(daemon.httpPort(), "\(daemon.log)"))
            #expect(eventually { http.state() == "latched" })
            let events = try http.get("/api/v1/events?limit=10").json["events"] as? [[String: Any]] ?? []
            let start = try #require(events.first { $0["kind"] as? String == "start" }, "\(events)")
            #expect((start["detail"] as? String)?.contains("for \(dir.file("tty")) (RS485 bus (bus.port))") == true, "\(start)")
            #expect(http.resetUntilReady())
        }
    }
}
