import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// rs485-probe as a technician runs it, against oht50-sim, pymodbus and a running daemon.
    @Suite("rs485-probe")
    struct ProbeTests {
        static func probe(_ arguments: [String]) throws -> (status: Int32?, output: String) {
            let p = try ChildProcess(executable: ChildProcess.productPath("rs485-probe"), arguments: arguments)
            let status = p.waitForExit(timeout: .seconds(60))
            return (status, p.log)
        }

        static func json(_ text: String) -> Any? {
            let line = text.split(separator: "\n").first { $0.hasPrefix("{") || $0.hasPrefix("[") } ?? ""
            return try? JSONSerialization.jsonObject(with: Data(line.utf8))
        }

        @Test("scan finds exactly the simulator's modules and names their types; identify decodes the block")
        func scanAndIdentify() throws {
            let dir = TemporaryDirectory("probe-scan")
            let sim = try BusPeers.simulator(link: dir.file("tty"), modules: "power@2,motor@3,io@9")
            defer { sim.kill9() }
            let scan = try Self.probe(["scan", "--port", dir.file("tty"), "--to", "12", "--json"])
            #expect(scan.status == 0)
            let found = Self.json(scan.output) as? [[String: Any]] ?? []
            #expect(found.compactMap { $0["address"] as? Int } == [2, 3, 9])
            #expect(found.compactMap { $0["type"] as? String } == ["power", "motor", "io"])
            #expect(found.allSatisfy { $0["firmware"] as? String == "1.2" })

            let identify = try Self.probe(["identify", "3", "--port", dir.file("tty")])
            #expect(identify.status == 0)
            #expect(identify.output.contains("address 3: motor (code 3)"))
            let csv = try Self.probe(["scan", "--port", dir.file("tty"), "--to", "3", "--csv"])
            #expect(csv.output.hasPrefix("baud,address,type,type_code,firmware,name,latency_ms\n115200,2,power,2,1.2,POWE,"))
        }

        @Test("bench --json reports success, loss and the latency percentiles; injected faults land in their error class")
        func benchAndFaults() throws {
            let dir = TemporaryDirectory("probe-bench")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let clean = try Self.probe(["bench", "--addr", "3", "--count", "200", "--port", dir.file("tty"), "--json"])
            #expect(clean.status == 0)
            let report = Self.json(clean.output) as? [String: Any] ?? [:]
            #expect(report["ok"] as? Int == 200)
            #expect(report["loss_percent"] as? Double == 0)
            let latency = report["latency_ms"] as? [String: Double] ?? [:]
            #expect(Set(latency.keys) == ["p50", "p95", "p99", "max"])
            #expect(
                (latency["p50"] ?? 0) > 0 && (latency["p50"] ?? 0) <= (latency["p99"] ?? 0)
                    && (latency["p99"] ?? 0) <= (latency["max"] ?? 0))
            // The rate is the count over the run's wall time: consistent with each other, whatever the machine's speed.
            let elapsed = report["elapsed_s"] as? Double ?? 0
            let rate = report["per_second"] as? Double ?? 0
            #expect(elapsed > 0 && abs(rate * elapsed - 200) < 1)

            sim.send("crc 3 4")
            #expect(sim.waitForLog("ok crc 3 4"))
            let crc = try Self.probe(["bench", "--addr", "3", "--count", "40", "--port", dir.file("tty"), "--json"])
            #expect(crc.status == 1)
            let errors = (Self.json(crc.output) as? [String: Any])?["errors"] as? [String: Int] ?? [:]
            #expect(errors["crc"] == 10)
            #expect(errors["timeout"] == 0)

            sim.send("clear 3")
            sim.send("exception 3 4")
            #expect(sim.waitForLog("ok exception 3 4"))
            let exception = try Self.probe(["read", "--addr", "3", "--type", "motor", "--port", dir.file("tty"), "--json"])
            #expect(exception.status == 1)
            let transaction = (Self.json(exception.output) as? [String: Any])?["transaction"] as? [String: Any]
            #expect(transaction?["outcome"] as? String == "exception")
            #expect(transaction?["exception_code"] as? Int == 4)

            sim.send("clear 3")
            sim.send("offline 3 on")
            #expect(sim.waitForLog("ok offline 3 on"))
            let silent = try Self.probe(["read", "--addr", "3", "--type", "motor", "--port", dir.file("tty"), "--timeout", "20"])
            #expect(silent.status == 1)
            #expect(silent.output.contains("READ fail addr=3 timeout"))
        }

        @Test("writes to a drive need --yes and read back; a missing port exits 4 naming it")
        func writeAndMissingPort() throws {
            let dir = TemporaryDirectory("probe-write")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let refused = try Self.probe(["write", "--addr", "3", "--register", "0x02", "--value", "50", "--port", dir.file("tty")])
            #expect(refused.status == 2)
            #expect(refused.output.contains("Add --yes"))
            let written = try Self.probe([
                "write", "--addr", "3", "--register", "0x01", "--value", "1,50", "--yes", "--port", dir.file("tty"),
            ])
            #expect(written.status == 0)
            let read = try Self.probe(["read", "--addr", "3", "--start", "1", "--count", "2", "--port", dir.file("tty"), "--json"])
            #expect(((Self.json(read.output) as? [String: Any])?["transaction"] as? [String: Any])?["registers"] as? [Int] == [1, 50])

            let missing = try Self.probe(["read", "--addr", "2", "--port", dir.file("no-such-tty")])
            #expect(missing.status == 4)
            #expect(missing.output.contains("serial port \(dir.file("no-such-tty")) is missing or unusable"))
            #expect(try Self.probe(["read", "--addr", "300", "--port", dir.file("tty")]).status == 2)
        }

        @Test("a port held by oht50d is refused with exit 3, naming the daemon and its pid")
        func portHeldByDaemon() throws {
            let dir = TemporaryDirectory("probe-busy")
            let sim = try BusPeers.simulator(link: dir.file("tty"))
            defer { sim.kill9() }
            let (daemon, _) = try BusPeers.daemon(dir, port: dir.file("tty"))
            defer { _ = daemon.terminate() }
            let busy = try Self.probe(["scan", "--port", dir.file("tty"), "--to", "3"])
            #expect(busy.status == 3)
            #expect(busy.output.contains("is in use by oht50d (pid \(daemon.process.processIdentifier))"))
        }

        @Test("pymodbus' registers read back as served")
        func readsPymodbus() throws {
            let dir = TemporaryDirectory("probe-pymodbus")
            let (socat, probeSide, peerSide) = try BusPeers.socatPair(dir)
            defer { socat.kill9() }
            let server = try BusPeers.pymodbusServer(port: peerSide)
            defer { server.kill9() }
            let read = try Self.probe([
                "read", "--addr", "2", "--start", "0", "--count", "3", "--port", probeSide, "--timeout", "500", "--json",
            ])
            #expect(read.status == 0)
            let row = Self.json(read.output) as? [String: Any]
            #expect((row?["transaction"] as? [String: Any])?["registers"] as? [Int] == [241, 37, 298])
            let voltage = (row?["values"] as? [[String: Any]])?.first { $0["name"] as? String == "voltage" }
            #expect(voltage?["value"] as? Double == 24.1)
        }
    }
}
