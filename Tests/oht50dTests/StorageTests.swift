import Foundation
import OHT50Store
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("Storage, end to end")
    struct StorageTests {
        typealias Vehicle = SimulatedVehicleTests.Vehicle

        @Test("oht50d backup makes a valid copy while the daemon runs and writes")
        func onlineBackup() throws {
            let v = try Vehicle(environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
            #expect(eventually { v.state() == "latched" })
            for _ in 0..<20 { _ = try v.reset(token: v.token) }
            let copy = v.dir.file("backup/firmware-copy.db")
            try FileManager.default.createDirectory(atPath: v.dir.file("backup"), withIntermediateDirectories: true)
            let backup = try ChildProcess.oht50d(arguments: ["backup", "--data-dir", v.dir.path, "--to", copy])
            #expect(backup.waitForExit() == 0, "\(backup.log)")
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
            let accepted = Set(events.filter { $0.kind == "reset_accepted" }.compactMap { $0.source?.split(separator: " ").last.map(String.init) })
            let missing = acknowledged.filter { !accepted.contains($0) }
            #expect(missing.isEmpty, "acknowledged resets missing from the log: \(missing)")
            #expect(events.filter { $0.kind == "start" }.count == 20)
        }
    }
}
