import Foundation
import OHT50Core
import OHT50Sim
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

        @Test("host_watchdog_ms against the pymodbus drive: written at start, kept alive while moving; a SIGSTOPped daemon lets it stop")
        func hostWatchdogAgainstPymodbus() throws {
            let dir = TemporaryDirectory("oht50-pymodbus-watchdog")
            let (socat, daemonSide, peerSide) = try BusPeers.socatPair(dir)
            defer { socat.kill9() }
            let server = try BusPeers.pymodbusServer(port: peerSide)
            defer { server.kill9() }
            let (daemon, http) = try BusPeers.daemon(
                dir, port: daemonSide,
                modules: "[{address: 2, type: power}, {address: 3, type: motor, poll_ms: 20, host_watchdog_ms: 2000}]")
            defer {
                kill(daemon.process.processIdentifier, SIGCONT)
                _ = daemon.terminate()
            }
            #expect(eventually { http.value(3, "host_watchdog_ms") == 2000 })
            #expect(http.resetUntilReady())
            let move = {
                try? http.post(
                    "/api/v1/motion/move", body: #"{"speed":50,"direction":"forward"}"#,
                    headers: ["Authorization": "Bearer \(BusPeers.token)"])
            }
            #expect(eventually { move()?.status == 200 && http.value(3, "motor1_enable") == 1 })
            // At least three worst write gaps (20 ms polls, 200 ms response timeouts: 626 ms). Polls alone
            // would let it expire within 100 of them; the daemon's refreshes keep it alive through 300
            // transactions (the move renewed as a backend does).
            let transactions = { ((try? http.get("/api/v1/modules/3").json)?["counters"] as? [String: Any])?["transactions"] as? Int ?? 0 }
            let before = transactions()
            #expect(
                eventually(timeout: .seconds(60), poll: .milliseconds(100)) {
                    _ = move()
                    return transactions() > before + 300
                })
            #expect(!server.log.contains("host watchdog expired"), "\(server.log)")
            #expect(http.value(3, "motor1_enable") == 1)
            let expiries = "oht50_bus_drive_watchdog_expiries_total{module=\"3\",type=\"motor\"} "
            let scrape = { (try? http.get("/metrics").body) ?? "" }
            #expect(scrape().contains(expiries + "0"))

            // The whole daemon stops (a hung board would look the same to the drive): the drive stops itself.
            kill(daemon.process.processIdentifier, SIGSTOP)
            #expect(server.waitForLog("host watchdog expired: drive stopped"))
            kill(daemon.process.processIdentifier, SIGCONT)
            // Back: a stall trip, the drives stopped, and 0x0D written again clears the expiry bit.
            #expect(eventually { ["fault", "latched"].contains(http.state() ?? "") })
            #expect(eventually { (http.value(3, "motor1_status") ?? 1) < 32_768 && http.value(3, "motor1_enable") == 0 })
            // The expiry the daemon read from the drive (status bit 15) is counted for the fleet's alert.
            #expect(scrape().contains(expiries + "1"), "\(scrape().split(separator: "\n").filter { $0.contains("watchdog") })")
        }

        @Test("over Modbus TCP (bus.port: tcp://HOST:PORT) the daemon polls a pymodbus TCP server")
        func daemonOverTCP() throws {
            let dir = TemporaryDirectory("oht50-tcp")
            let port = FreePort.find()
            let server = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_server.py", "--tcp", "\(port)"])
            defer { server.kill9() }
            #expect(server.waitForLog("pymodbus server on tcp"))
            #expect(eventually { FreePort.isListening(port) })
            let (daemon, http) = try BusPeers.daemon(dir, port: "tcp://127.0.0.1:\(port)")
            defer { _ = daemon.terminate() }
            #expect(eventually { http.value(2, "voltage") == 24.1 })
            #expect(http.resetUntilReady())
        }

        /// The holding registers mbpoll printed ("[240]: \t20482" lines), as 16-bit words.
        static func mbpollRegisters(_ log: String) -> [UInt16] {
            log.split(separator: "\n").compactMap { line -> UInt16? in
                guard line.hasPrefix("["), let colon = line.firstIndex(of: ":"),
                    let value = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                else { return nil }
                return UInt16(truncatingIfNeeded: value)
            }
        }

        static func mbpoll(_ tty: String, address: Int, start: Int, count: Int) throws -> ChildProcess {
            try ChildProcess(
                executable: "/usr/bin/mbpoll",
                arguments: [
                    "-m", "rtu", "-b", "115200", "-P", "none", "-a", "\(address)", "-r", "\(start)", "-c", "\(count)", "-0", "-1", "-o",
                    "0.5", tty,
                ])
        }

        /// What the simulator serves in the identity block of a module of that type at that address.
        static func servedIdentity(address: UInt8, type: ModuleType) -> [UInt16] {
            let module = SimulatedModule(address: address, type: type)
            return (0..<IdentityBlock.count).map { module.register(IdentityBlock.start + $0) }
        }

        @Test("mbpoll reads the simulator's identity block as the simulator serves it, and gets silence from an absent address")
        func mbpollReadsSimulator() throws {
            let dir = TemporaryDirectory("oht50-mbpoll")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let identity = try Self.mbpoll(dir.file("tty"), address: 2, start: 0xF0, count: 16)
            #expect(identity.waitForExit() == 0)
            let served = Self.servedIdentity(address: 2, type: .power)
            #expect(served.count == 16 && served[7] == ModuleType.power.code)
            #expect(Self.mbpollRegisters(identity.log) == served, "\(identity.log)")
            let absent = try Self.mbpoll(dir.file("tty"), address: 9, start: 0, count: 2)
            _ = absent.waitForExit()
            #expect(absent.log.contains("timed out"))
            sim.send("status")
            #expect(sim.waitForLog("frames: requests="))
        }

        @Test("pymodbus' client, mbpoll and the daemon's master (rs485-probe) read the same registers from the simulator")
        func pymodbusClientReadsSimulator() throws {
            let dir = TemporaryDirectory("oht50-pyclient")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let read = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_read.py", dir.file("tty"), "3", "0xF0", "16"])
            #expect(read.waitForExit() == 0)
            let pymodbus = (ProbeTests.json(read.log) as? [String: Any])?["registers"] as? [Int]
            let mbpoll = try Self.mbpoll(dir.file("tty"), address: 3, start: 0xF0, count: 16)
            #expect(mbpoll.waitForExit() == 0)
            let probe = try ChildProcess(
                executable: ChildProcess.productPath("rs485-probe"),
                arguments: ["read", "--addr", "3", "--start", "0xF0", "--count", "16", "--port", dir.file("tty"), "--json"])
            #expect(probe.waitForExit(timeout: .seconds(60)) == 0)
            let master = ((ProbeTests.json(probe.log) as? [String: Any])?["transaction"] as? [String: Any])?["registers"] as? [Int]

            let served = Self.servedIdentity(address: 3, type: .motor).map(Int.init)
            #expect(served[7] == Int(ModuleType.motor.code))
            #expect(pymodbus == served, "\(read.log)")
            #expect(Self.mbpollRegisters(mbpoll.log).map(Int.init) == served, "\(mbpoll.log)")
            #expect(master == served, "\(probe.log)")

            let absent = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", ChildProcess.repository + "/tools/peers/pymodbus_read.py", dir.file("tty"), "9", "0", "2"])
            #expect(absent.waitForExit() == 1)
            #expect(absent.log.contains("No response"))
        }
    }
}
