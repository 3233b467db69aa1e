import Foundation
import OHT50Client
import OHT50Store
import OHT50TestSupport
import Synchronization
import Testing

extension EndToEnd {
    @Suite("Storage, end to end")
    struct StorageTests {
        typealias Vehicle = SimulatedVehicleTests.Vehicle

        @Test("every trip is saved with the two seconds of safety-loop samples before it and the last bus readings")
        func tripRecording() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            #expect(eventually { v.http.value(2, "voltage") != nil })
            // Let the window fill: wait until the loop has run well past two seconds.
            #expect(
                eventually(timeout: .seconds(20)) {
                    ((try? v.http.get("/health/detailed").json["safety_loop"]) as? [String: Any])?["cycles"] as? Int ?? 0 > 3_000
                })
            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            // The press's trip: on a starved machine the simulated bus can miss its first polls and an earlier
            // comm_loss trip is recorded too (correctly); this test is about the press's recording.
            var pressTrip: [String: Any]?
            #expect(
                eventually {
                    let trips = (try? v.http.get("/api/v1/trips").json["trips"] as? [[String: Any]]) ?? []
                    pressTrip = trips.first { $0["causes"] as? [String] == ["estop"] && $0["to"] as? String == "estop" }
                    return pressTrip != nil
                })
            let id = try #require(pressTrip?["id"] as? Int)
            let trip = try v.http.get("/api/v1/trips/\(id)").json
            let samples = try #require(trip["samples"] as? [String: Any])
            let offsets = samples["offset_ms"] as? [Double] ?? []
            let states = samples["state"] as? [String] ?? []
            #expect(offsets.count == trip["sample_count"] as? Int)
            #expect(offsets.count > 500)
            #expect((offsets.first ?? 0) > -2_000.5 && (offsets.first ?? 0) < -1_000)
            #expect(offsets.last == 0)
            #expect(states.last == "estop")
            #expect(states.first == "latched")
            #expect((samples["estop_raw"] as? [Int])?.last == 0)
            let bus = trip["bus"] as? [String] ?? []
            #expect(bus.count == 2)
            #expect(bus.first { $0.hasPrefix("power@2") }?.contains("voltage=") == true)
            #expect(try v.http.get("/api/v1/trips/999").status == 404)
        }

        @Test("telemetry history keeps one row per module per second, queryable by module and time")
        func telemetryHistory() throws {
            let v = try Vehicle()
            var rows: [[String: Any]] = []
            #expect(
                eventually(timeout: .seconds(20), poll: .milliseconds(200)) {
                    rows = (try? v.http.get("/api/v1/telemetry/history?module=2").json["rows"] as? [[String: Any]]) ?? []
                    return rows.count >= 3
                })
            #expect(rows.allSatisfy { $0["module"] as? Int == 2 && $0["type"] as? String == "power" })
            #expect(rows.compactMap { ($0["values"] as? [String: Double])?["voltage"] }.allSatisfy { (20.0...28.0).contains($0) })
            let times = rows.compactMap { $0["unix_ms"] as? Int }
            #expect(times == times.sorted())
            let first = try #require(times.first)
            let windowed = try v.http.get("/api/v1/telemetry/history?from=\(first + 1)&module=2").json["rows"] as? [[String: Any]] ?? []
            #expect(windowed.count < rows.count + 2 && !windowed.contains { $0["unix_ms"] as? Int == first })
            let both = try v.http.get("/api/v1/telemetry/history").json["rows"] as? [[String: Any]] ?? []
            #expect(Set(both.compactMap { $0["module"] as? Int }) == [2, 3])
            #expect(try v.http.get("/api/v1/telemetry/history?from=yesterday").status == 400)
            #expect(try v.http.get("/api/v1/telemetry/history?from=2026-11-23T08:00:00Z").status == 200)
            // Unauthenticated readers are bounded: 7,200 rows per answer at most, paged by next_from.
            let tooMany = try v.http.get("/api/v1/telemetry/history?limit=100000")
            #expect(tooMany.status == 400)
            #expect(tooMany.body.contains("7200"), "\(tooMany.body)")
            let page = try v.http.get("/api/v1/telemetry/history?module=2&limit=1").json
            let next = try #require(page["next_from"] as? Int)
            let firstRow = try #require((page["rows"] as? [[String: Any]])?.first)
            #expect(next == (firstRow["unix_ms"] as? Int ?? 0) + 1)
            let following = try v.http.get("/api/v1/telemetry/history?module=2&limit=1&from=\(next)").json["rows"] as? [[String: Any]] ?? []
            #expect(following.first?["unix_ms"] as? Int ?? 0 >= next)
            // Paging both modules three rows at a time skips no row: a page cut inside a second ends before
            // that second, and the next page starts at it.
            func keys(_ rows: Any?) -> [String] {
                (rows as? [[String: Any]] ?? []).map { "\($0["unix_ms"] as? Int ?? 0)/\($0["module"] as? Int ?? 0)" }
            }
            let to = try #require(both.compactMap { $0["unix_ms"] as? Int }.max())
            let whole = keys(try v.http.get("/api/v1/telemetry/history?from=0&to=\(to)").json["rows"])
            var paged: [String] = []
            var from = 0
            for _ in 0..<1_000 {
                let page = try v.http.get("/api/v1/telemetry/history?from=\(from)&to=\(to)&limit=3").json
                paged += keys(page["rows"])
                guard let next = page["next_from"] as? Int else { break }
                from = next
            }
            #expect(whole.count >= 4 && paged == whole, "paged \(paged) vs one answer \(whole)")
        }

        @Test("a corrupt database at start is moved aside with a timestamp, a new one is started, and an event says so")
        func corruptDatabaseAtStart() throws {
            let dir = TemporaryDirectory("oht50-corrupt")
            dir.write("firmware.db", String(repeating: "this is not SQLite ", count: 1_000))
            let v = try Vehicle(dir: dir)
            let events = try v.http.get("/api/v1/events").json["events"] as? [[String: Any]] ?? []
            let degraded = events.first { $0["kind"] as? String == "storage_degraded" }
            #expect((degraded?["detail"] as? String)?.contains("firmware.db.corrupt-") == true)
            let moved = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("firmware.db.corrupt-") }
            #expect(moved.count == 1)
            #expect(v.daemon.log.contains("level=error msg=\"the event store was corrupt: moved aside"))
            #expect(v.state() != nil)
        }

        @Test("a database another process holds at start is left in place: storage degraded, events written once it is free")
        func heldDatabaseLeftInPlace() throws {
            let dir = TemporaryDirectory("oht50-held")
            try EventStore(dataDir: dir.path).append(time: "t", monotonicNs: 1, kind: .start, detail: "an earlier run")
            var holder: SQLiteDatabase? = try SQLiteDatabase(path: dir.file(EventStore.fileName))
            try holder?.execute("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
            let v = try Vehicle(dir: dir, environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
            #expect(eventually { v.state() == "latched" })
            let storage = try v.http.get("/health/detailed").json["storage"] as? [String: Any]
            #expect(storage?["status"] as? String == "degraded")
            #expect((storage?["last_error"] as? String)?.contains("\(dir.file(EventStore.fileName)) (left in place)") == true)
            #expect(v.daemon.log.contains("event store degraded"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("corrupt") }.isEmpty)

            holder = nil
            // The journal opens it again at its next write after the retry interval.
            var kinds: [String] = []
            #expect(
                eventually(timeout: .seconds(30), poll: .milliseconds(500)) {
                    _ = try? v.reset(token: v.token)
                    kinds = ((try? v.http.get("/api/v1/events?limit=1000").json["events"]) as? [[String: Any]] ?? []).compactMap {
                        $0["kind"] as? String
                    }
                    return kinds.contains("storage_degraded") && kinds.contains { $0.hasPrefix("reset_") }
                }, "\(kinds)")
            #expect(kinds.first == "start")
            let events = try EventStore.read(dataDir: dir.path, after: 0, limit: 1)
            #expect(events.first?.detail == "an earlier run")
            #expect(eventually { (try? v.http.get("/health/detailed").json["storage"] as? [String: Any])?["status"] as? String == "ok" })
        }

        @Test("oht50d backup makes a valid copy while the daemon runs and writes")
        func onlineBackup() throws {
            let v = try Vehicle(environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
            #expect(eventually { v.state() == "latched" })
            for _ in 0..<20 { _ = try v.reset(token: v.token) }
            // Resets keep the writer busy for the whole backup: each is committed before it is answered.
            let answered = Atomic<Int>(0)
            let writing = Atomic<Bool>(true)
            let stopped = Atomic<Bool>(false)
            let (http, token) = (v.http, v.token)
            let writer = Thread {
                while writing.load(ordering: .acquiring) {
                    if (try? http.post("/api/v1/safety/reset", headers: ["Authorization": "Bearer \(token)"])) != nil {
                        answered.wrappingAdd(1, ordering: .relaxed)
                    }
                }
                stopped.store(true, ordering: .releasing)
            }
            writer.start()
            defer {
                writing.store(false, ordering: .releasing)
                _ = eventually { stopped.load(ordering: .acquiring) }
            }
            #expect(eventually { answered.load(ordering: .relaxed) >= 5 })
            let copy = v.dir.file("backup/firmware-copy.db")
            try FileManager.default.createDirectory(atPath: v.dir.file("backup"), withIntermediateDirectories: true)
            let before = answered.load(ordering: .relaxed)
            let backup = try ChildProcess.oht50d(arguments: ["backup", "--data-dir", v.dir.path, "--to", copy])
            #expect(backup.waitForExit() == 0, "\(backup.log)")
            #expect(answered.load(ordering: .relaxed) > before, "no write was committed while the backup ran")
            writing.store(false, ordering: .releasing)
            #expect(backup.log.contains("integrity ok"))
            let db = try SQLiteDatabase(path: copy, readOnly: true)
            #expect(try db.scalar("PRAGMA integrity_check") == "ok")
            #expect(Int(try db.scalar("SELECT count(*) FROM events WHERE kind LIKE 'reset_%'") ?? "0") ?? 0 >= 20)
            #expect(!FileManager.default.fileExists(atPath: copy + ".partial"))

            let missing = try ChildProcess.oht50d(arguments: ["backup", "--data-dir", v.dir.file("nothing"), "--to", copy + "2"])
            #expect(missing.waitForExit() == 1)
            #expect(missing.log.contains("no database at"))
        }

        @Test("kill -9 twenty times during bursts of presses and resets: every acknowledged reset is in the log, and the file is intact")
        func killNineDuringBursts() throws {
            let dir = TemporaryDirectory("oht50-kill9")
            var acknowledged: [String] = []
            for round in 0..<20 {
                let v = try Vehicle(dir: dir, environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0", "OHT50_SAFETY_RESET_RELEASE_MS": "0"])
                #expect(eventually { v.state() == "latched" || v.state() == "estop" })
                for i in 0..<(10 + round % 7) {
                    if i % 3 == 0 { v.setEStop(i % 2 == 0 ? "0" : "1") }
                    if let answer = try? v.reset(token: v.token), answer.status == 200, let id = answer.header("X-Request-ID") {
                        acknowledged.append(id)
                    }
                }
                v.daemon.kill9()
                v.setEStop("1")
            }
            #expect(!acknowledged.isEmpty)
            let db = try SQLiteDatabase(path: dir.file(EventStore.fileName), readOnly: true)
            #expect(try db.scalar("PRAGMA integrity_check") == "ok")
            let events = try EventStore.read(dataDir: dir.path, after: 0, limit: 1_000_000)
            let accepted = Set(
                events.filter { $0.kind == "reset_accepted" }.compactMap { $0.source?.split(separator: " ").last.map(String.init) })
            let missing = acknowledged.filter { !accepted.contains($0) }
            #expect(missing.isEmpty, "acknowledged resets missing from the log: \(missing)")
            #expect(events.filter { $0.kind == "start" }.count == 20)
        }
    }
}

extension EndToEnd.StorageTests {
    @Test(
        "a full data directory: the loop works on, health says storage degraded, lost events are counted, writing resumes with space",
        .enabled(if: getuid() == 0, "mounts a small tmpfs"))
    func fullDisk() throws {
        let dir = TemporaryDirectory("oht50-full")
        let mountPoint = dir.file("data")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try ChildProcess(executable: "/bin/mount", arguments: ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint])
        #expect(mount.waitForExit() == 0, "\(mount.log)")
        defer { _ = try? ChildProcess(executable: "/bin/umount", arguments: ["-l", mountPoint]).waitForExit() }

        let daemon = try ChildProcess.oht50d(
            arguments: ["--simulate", "--data-dir", mountPoint, "--http-port", "0"], environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
        let http = DaemonClient(port: try #require(daemon.httpPort()))
        let estop = mountPoint + "/sim/gpio59/value"
        #expect(eventually { http.state() == "latched" })

        // Fill the file system (the E-stop file keeps its block, it is rewritten in place).
        let filler = FileHandle(
            forWritingAtPath: {
                FileManager.default.createFile(atPath: mountPoint + "/filler", contents: nil)
                return mountPoint + "/filler"
            }())!
        let block = Data(repeating: 0, count: 4096)
        while (try? filler.write(contentsOf: block)) != nil {}
        try? filler.close()

        // Rewritten in place (no truncate): on a full file system a truncated file could not get its
        // block back, and an empty E-stop file is, rightly, an input fault.
        let line = try #require(FileHandle(forUpdatingAtPath: estop))
        defer { try? line.close() }
        func toggle(_ times: Int) {
            for i in 0..<times {
                try? line.seek(toOffset: 0)
                try? line.write(contentsOf: Data((i % 2 == 0 ? "0\n" : "1\n").utf8))
                #expect(eventually { http.state() == (i % 2 == 0 ? "estop" : "latched") }, "toggle \(i)")
            }
        }
        toggle(20)
        #expect(http.state() == "latched")
        let storage = { () -> [String: Any] in ((try? http.get("/health/detailed").json["storage"]) as? [String: Any]) ?? [:] }
        #expect(eventually { storage()["status"] as? String == "degraded" })
        #expect(storage()["lost_events"] as? Int ?? 0 > 0)
        #expect(try http.get("/health").status == 200)
        #expect(http.state() == "latched")
        // The reset's answer says its event is not on disk (200 or 409, whichever the release time gives).
        let auth = [
            "Authorization": "Bearer "
                + (try String(contentsOfFile: mountPoint + "/api-token", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        ]
        func eventStored(_ answer: DaemonClient.Answer) -> Bool? {
            let body = answer.json
            return body["event_stored"] as? Bool ?? (body["error"] as? [String: Any])?["event_stored"] as? Bool
        }
        let unstored = try http.post("/api/v1/safety/reset", headers: auth)
        #expect([200, 409].contains(unstored.status))
        #expect(eventStored(unstored) == false, "\(unstored.body)")
        #expect(daemon.waitForLog("but its event was not stored"))

        try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        toggle(2)
        #expect(eventually { storage()["status"] as? String == "ok" })
        let events = try http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]] ?? []
        #expect(events.last?["kind"] as? String == "state_change")
        let stored = try http.post("/api/v1/safety/reset", headers: auth)
        #expect(eventStored(stored) == true, "\(stored.body)")
        #expect(daemon.terminate() == 0)
    }
}
