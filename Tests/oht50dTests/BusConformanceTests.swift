import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// oht50d's bus layer against independent peers: pymodbus as the server the daemon polls; mbpoll and
    /// pymodbus' client reading the simulator.
    @Suite("Bus conformance with independent peers")
    struct BusConformanceTests {
        @Test("the daemon shows a pymodbus server's values, trips comm_loss when it stops, and resets once it is back")
        func daemonAgainstPymodbus() throws {
            let dir = TemporaryDirectory("oht50-pymodbus")
            let (socat, daemonSide, peerSide) = try BusPeers.socatPair(dir)
            defer { socat.kill9() }
            var server = try BusPeers.pymodbusServer(port: peerSide)
            let (daemon, http) = try BusPeers.daemon(dir, port: daemonSide)
            defer { _ = daemon.terminate() }

            #expect(eventually { http.value(2, "voltage") == 24.1 })
            #expect(http.value(2, "current") == 3.7)
            #expect(http.value(2, "temperature") == 29.8)
            #expect(http.value(3, "motor1_pid_kp") == 1.5)
            let identity = try http.get("/api/v1/modules/3").json["identity"] as? [String: Any]
            #expect(identity?["name"] as? String == "DRV1")
            #expect(identity?["firmware_version"] as? String == "2.3")
            #expect(http.resetUntilReady())

            server.kill9()
            #expect(eventually { http.state() == "fault" })
            #expect(http.causes().contains("comm_loss"))
            let refused = try http.reset()
            #expect(refused.status == 409)
            let codes = ((refused.json["error"] as? [String: Any])?["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            #expect(codes?.contains("comm_loss") == true)

            server = try BusPeers.pymodbusServer(port: peerSide)
            #expect(eventually { http.state() == "latched" })
            #expect(http.resetUntilReady())
            server.kill9()
        }

        @Test("over Modbus TCP (bus.port: tcp://HOST:PORT) the daemon polls a pymodbus TCP server")
        func daemonOverTCP() throws {
            let dir = TemporaryDirectory("oht50-tcp")
            let port = FreePort.find()
            let server = try ChildProcess(
                executable: "/usr/bin/env", arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_server.py", "--tcp", "\(port)"])
            defer { server.kill9() }
            #expect(server.waitForLog("pymodbus server on tcp"))
            #expect(eventually { FreePort.isListening(port) })
            let (daemon, http) = try BusPeers.daemon(dir, port: "tcp://127.0.0.1:\(port)")
            defer { _ = daemon.terminate() }
            #expect(eventually { http.value(2, "voltage") == 24.1 })
            #expect(http.resetUntilReady())
        }

        @Test("mbpoll reads the simulator's identity block as the simulator serves it, and gets silence from an absent address")
        func mbpollReadsSimulator() throws {
            let dir = TemporaryDirectory("oht50-mbpoll")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let mbpoll = { (address: Int, start: Int, count: Int) throws -> ChildProcess in
                try ChildProcess(
                    executable: "/usr/bin/mbpoll",
                    arguments: ["-m", "rtu", "-b", "115200", "-P", "none", "-a", "\(address)", "-r", "\(start)", "-c", "\(count)", "-0", "-1", "-o", "0.5", dir.file("tty")])
            }
            let identity = try mbpoll(2, 0xF0, 16)
            #expect(identity.waitForExit() == 0)
            // Device id 0x5002, firmware 1.2, module type code 2 (power), as SimulatedModule serves them.
            #expect(identity.log.contains("[240]: \t20482"))
            #expect(identity.log.contains("[241]: \t258"))
            #expect(identity.log.contains("[247]: \t2"))
            let absent = try mbpoll(9, 0, 2)
            _ = absent.waitForExit()
            #expect(absent.log.contains("timed out"))
            sim.send("status")
            #expect(sim.waitForLog("frames: requests="))
        }

        @Test("pymodbus' client reads the same registers from the simulator as mbpoll and the daemon's master")
        func pymodbusClientReadsSimulator() throws {
            let dir = TemporaryDirectory("oht50-pyclient")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let read = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_read.py", dir.file("tty"), "3", "0xF0", "16"])
            #expect(read.waitForExit() == 0)
            #expect(read.log.contains("\"registers\": [20483, 258, 0, 0, 0, 7, 0, 3, 19791, 21583, 256, 1, 3000, 2025, 277, 0]"))
            let absent = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_read.py", dir.file("tty"), "9", "0", "2"])
            #expect(absent.waitForExit() == 1)
            #expect(absent.log.contains("No response"))
        }
    }
}
