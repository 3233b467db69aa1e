import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// `oht50d safe-off`, what the unit runs after every end of the daemon (ExecStopPost=), against real
    /// processes: a daemon killed with -9 mid-move, oht50-sim and an independent pymodbus drive.
    @Suite("safe-off after the daemon dies")
    struct SafeOffTests {
        /// The unit's `ExecStopPost=` command line with this build's binary and `config` in place of the
        /// vehicle's paths: what systemd runs.
        static func unitStopPost(config: String) throws -> [String] {
            let unit = try String(contentsOfFile: ChildProcess.repository + "/systemd/oht50-firmware.service", encoding: .utf8)
            let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStopPost=") })
            let words = line.dropFirst("ExecStopPost=".count).split(separator: " ").map(String.init)
            #expect(words.first == "/usr/bin/oht50d")
            return words.dropFirst().map { $0 == "/opt/oht50/config/firmware.yaml" ? config : $0 }
        }

        static func safeOff(_ arguments: [String]) throws -> ChildProcess {
            let p = try ChildProcess.oht50d(arguments: ["safe-off"] + arguments)
            _ = p.waitForExit(timeout: .seconds(30))
            return p
        }

        /// Drive registers 0x00–0x17 read by a peer that is not the daemon's master.
        static func driveRegisters(peer: String, port: String) throws -> [Int]? {
            if peer == "pymodbus" {
                let read = try ChildProcess(
                    executable: "/usr/bin/env",
                    arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_read.py", port, "3", "0", "24"])
                guard read.waitForExit() == 0 else { return nil }
                return (ProbeTests.json(read.log) as? [String: Any])?["registers"] as? [Int]
            }
            let mbpoll = try BusConformanceTests.mbpoll(port, address: 3, start: 0, count: 24)
            guard mbpoll.waitForExit() == 0 else { return nil }
            return BusConformanceTests.mbpollRegisters(mbpoll.log).map(Int.init)
        }

        @Test(
            "kill -9 during a move leaves motion-enable on and the drive turning; safe-off turns both off and reads them back",
            arguments: ["oht50-sim", "pymodbus"])
        func killNineDuringMove(peer: String) throws {
            let dir = TemporaryDirectory("oht50-safeoff")
            var peers: [ChildProcess] = []
            defer { for peer in peers { peer.kill9() } }
            let port: String
            if peer == "pymodbus" {
                let (socat, daemonSide, peerSide) = try BusPeers.socatPair(dir)
                peers.append(socat)
                peers.append(try BusPeers.pymodbusServer(port: peerSide))
                port = daemonSide
            } else {
                port = dir.file("tty")
                peers.append(try BusPeers.simulator(link: port))
            }
            let (daemon, http) = try BusPeers.daemon(dir, port: port)
            #expect(http.resetUntilReady())
            let move = try http.post(
                "/api/v1/motion/move", body: #"{"speed":40,"direction":"forward"}"#, headers: ["Authorization": "Bearer \(BusPeers.token)"])
            #expect(move.status == 200, "\(move.body)")
            #expect(eventually { http.value(3, "motor1_commanded_speed") == 102 && http.value(3, "motor2_commanded_speed") == 102 })
            daemon.kill9()
            // What the crash leaves: a sysfs line keeps its value; the drive has no watchdog of its own.
            #expect(dir.read("gpio131/value") == "1\n")

            let unitCommand = try Self.unitStopPost(config: dir.file("firmware.yaml"))
            let safeOff = try ChildProcess.oht50d(arguments: unitCommand)
            #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
            #expect(dir.read("gpio131/value") == "0\n")
            #expect(safeOff.log.contains("outputs.motion_enable (sysfs \(dir.file("gpio131/value"))): off, reads 0"))
            #expect(safeOff.log.contains("drive motor@3 on \(port): stopped"))
            let registers = try #require(try Self.driveRegisters(peer: peer, port: port))
            let command: [Int] = [0x01, 0x02, 0x07, 0x11, 0x12, 0x17].map { registers[$0] }
            #expect(command == [0, 0, 0, 0, 0, 0], "enable, speed, direction of both channels")
        }

        @Test("a drive that does not answer does not keep motion-enable on: the output goes off first, the exit names the drive")
        func silentDriveStillOutputOff() throws {
            let dir = TemporaryDirectory("oht50-safeoff-silent")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            sim.send("offline 3 on")
            #expect(sim.waitForLog("ok offline 3 on"))
            let motion = dir.write("gpio131/value", "1\n")
            let config = dir.write(
                "firmware.yaml",
                "outputs:\n  motion_enable: {backend: sysfs, sysfs_path: \"\(motion)\"}\nbus: {port: \"\(dir.file("tty"))\", "
                    + "response_timeout_ms: 50}\n"
            )
            let safeOff = try Self.safeOff(["--config", config])
            #expect(safeOff.waitForExit() == 1)
            #expect(dir.read("gpio131/value") == "0\n")
            #expect(safeOff.log.contains("drive motor@3 not confirmed stopped: channel 1, writing enable 0 and speed 0: timeout"))
            #expect(safeOff.log.contains("level=error"))
        }

        /// An independent drive (pymodbus) that refuses every write to channel 1. safe-off used to give
        /// up on the drive at channel 1's first failure and never write channel 2.
        @Test(
            "a drive refusing writes to channel 1 still gets channel 2 stopped and read back; the exit says which channel failed",
            arguments: [false, true])
        func channelOneRefusesWrites(channelOneRunning: Bool) throws {
            let dir = TemporaryDirectory("oht50-safeoff-refuse")
            let (socat, daemonSide, peerSide) = try BusPeers.socatPair(dir)
            defer { socat.kill9() }
            let running = ["0x11=1", "0x12=200", "0x17=1"] + (channelOneRunning ? ["0x01=1", "0x02=200", "0x07=1"] : [])
            let server = try BusPeers.pymodbusServer(
                port: peerSide, arguments: running.flatMap { ["--drive-set", $0] } + ["--drive-refuse-writes", "0x00-0x0F"])
            defer { server.kill9() }
            let motion = dir.write("gpio131/value", "1\n")
            let config = dir.write(
                "firmware.yaml",
                "outputs:\n  motion_enable: {backend: sysfs, sysfs_path: \"\(motion)\"}\nbus: {port: \"\(daemonSide)\", "
                    + "response_timeout_ms: 200}\n"
                    + "storage: {data_dir: \"\(dir.file("data"))\"}\n")
            let safeOff = try Self.safeOff(["--config", config])
            #expect(dir.read("gpio131/value") == "0\n")
            let registers = try #require(try Self.driveRegisters(peer: "pymodbus", port: daemonSide))
            #expect([0x11, 0x12].map { registers[$0] } == [0, 0], "channel 2 enable and speed")
            if channelOneRunning {
                #expect(safeOff.waitForExit() == 1)
                #expect([0x01, 0x02].map { registers[$0] } == [1, 200], "channel 1 refuses every write")
                #expect(safeOff.log.contains("drive motor@3 not confirmed stopped: channel 1 reads enable 1 speed 200"), "\(safeOff.log)")
            } else {
                #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
                #expect([0x01, 0x02].map { registers[$0] } == [0, 0])
                #expect(safeOff.log.contains("drive motor@3 on \(daemonSide): stopped"))
            }
        }

        /// A daemon without a bus, its motion-enable on `motion`, started and killed with -9 with the line
        /// left at 1. Returns the config file (`firmware.yaml` in `dir`, data in `dir/data`).
        static func killedDaemon(_ dir: TemporaryDirectory, motion: String) throws -> String {
            let config = dir.write("firmware.yaml", sysfsConfig(dir, motion: motion))
            let daemon = try ChildProcess.oht50d(arguments: ["--config", config, "--control-socket", dir.file("control.sock")])
            #expect(daemon.httpPort() != nil)
            #expect(eventually { dir.read("data/last-started-config.yaml")?.contains(motion) == true })
            daemon.kill9()
            _ = dir.write("gpio131/value", "1\n")
            return config
        }

        static func sysfsConfig(_ dir: TemporaryDirectory, motion: String) -> String {
            "estop: {sysfs_path: \"\(dir.write("gpio59/value", "1\n"))\"}\noutputs:\n  motion_enable: {backend: sysfs, sysfs_path: "
                + "\"\(motion)\"}\n"
                + "modules: []\nhttp: {port: 0}\nstorage: {data_dir: \"\(dir.file("data"))\"}\n"
        }

        @Test("a valid file edited after the start does not spare what the daemon drove: safe-off turns off both configurations' lines")
        func editedConfigStillTurnsOffTheStartedOne() throws {
            let dir = TemporaryDirectory("oht50-safeoff-edited")
            let config = try Self.killedDaemon(dir, motion: dir.write("gpio131/value", "0\n"))
            // A technician points motion-enable at another line and the file still parses.
            _ = dir.write("firmware.yaml", Self.sysfsConfig(dir, motion: dir.write("gpio132/value", "1\n")))

            let safeOff = try Self.safeOff(["--config", config])
            #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
            #expect(dir.read("gpio131/value") == "0\n", "the line the daemon started with")
            #expect(dir.read("gpio132/value") == "0\n", "the line the file names now")
            #expect(safeOff.log.contains("also turning off what the last started configuration"))
        }

        /// Issue 40: the runbook's `chown -R oht:oht /opt/oht50/` hands the config to the backend's user. Such
        /// a file chooses which files safe-off writes and what "off" is (active_low): unusable, as at the
        /// start; safe-off falls back to the last started configuration, and writes nothing the file names.
        @Test(
            "an untrusted config (another user's) is refused by the start and by safe-off, which turns off the last started lines and writes nothing it names",
            .enabled(if: geteuid() == 0, "chown needs root"))
        func untrustedConfigUnusable() throws {
            let dir = TemporaryDirectory("oht50-safeoff-untrusted")
            let config = try Self.killedDaemon(dir, motion: dir.write("gpio131/value", "0\n"))
            let precious = dir.write("precious", "keep\n")
            _ = dir.write("firmware.yaml", Self.sysfsConfig(dir, motion: precious))
            #expect(chown(config, 65534, 65534) == 0)

            let safeOff = try Self.safeOff(["--config", config, "--data-dir", dir.file("data")])
            #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
            #expect(dir.read("gpio131/value") == "0\n")
            #expect(dir.read("precious") == "keep\n")
            #expect(safeOff.log.contains("falling back to the last one that started"))
            #expect(safeOff.log.contains("is not trusted: \(config) is owned by nobody"))
            let start = try ChildProcess.oht50d(arguments: ["--config", config, "--control-socket", dir.file("control.sock")])
            #expect(start.waitForExit() == 78)
            #expect(start.log.contains("is not trusted: \(config) is owned by nobody"))
        }

        @Test("a config that no longer parses falls back to the last one that started, and says so")
        func fallsBackToLastStartedConfig() throws {
            let dir = TemporaryDirectory("oht50-safeoff-fallback")
            let config = try Self.killedDaemon(dir, motion: dir.write("gpio131/value", "0\n"))
            _ = dir.write("firmware.yaml", "safety:\n  cycle_ms: fast\n")

            let safeOff = try Self.safeOff(["--config", config, "--data-dir", dir.file("data")])
            #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
            #expect(dir.read("gpio131/value") == "0\n")
            #expect(safeOff.log.contains("falling back to the last one that started (\(dir.file("data/last-started-config.yaml")))"))
            #expect(safeOff.log.contains("safety.cycle_ms"))
        }
    }
}
