import Foundation
import OHT50TestSupport
import Testing

@testable import OHT50Store

@Suite("Event store")
struct EventStoreTests {
    @Test("events round-trip in order with their fields; after and limit page through them")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let store = try EventStore(dataDir: dir.path)
        for i in 1...5 {
            try store.append(
                time: "t\(i)", monotonicNs: UInt64(i), kind: .resetRefused, from: "estop", to: "estop", causes: ["estop"],
                reasons: ["state_not_latched", "estop_release_too_short"], source: "http 127.0.0.1:1 request \(i)")
        }
        let first = try EventStore.read(dataDir: dir.path, after: 0, limit: 2)
        #expect(first.map(\.id) == [1, 2])
        #expect(first[0].reasons == ["state_not_latched", "estop_release_too_short"])
        #expect(first[0].causes == ["estop"])
        #expect(first[1].source == "http 127.0.0.1:1 request 2")
        #expect(try EventStore.read(dataDir: dir.path, after: 2, limit: 100).map(\.id) == [3, 4, 5])
        #expect(try SQLiteDatabase(path: store.path).scalar("PRAGMA user_version") == "\(EventStore.schemaVersion)")
        #expect(try SQLiteDatabase(path: store.path).scalar("PRAGMA journal_mode") == "wal")
    }

    @Test("a corrupt database at start is moved aside with a timestamp and a new one is started")
    func corruptMovedAside() throws {
        let dir = TemporaryDirectory()
        dir.write(EventStore.fileName, String(repeating: "not a database ", count: 400))
        let store = try EventStore(dataDir: dir.path)
        let moved = try #require(store.recoveredFrom)
        #expect(moved.hasPrefix(dir.file(EventStore.fileName + ".corrupt-")))
        #expect(FileManager.default.fileExists(atPath: moved))
        try store.append(time: "t", monotonicNs: 1, kind: .start)
        #expect(try EventStore.read(dataDir: dir.path, after: 0, limit: 10).count == 1)
    }

    @Test("a database another connection holds is left in place, not moved aside; the journal writes to it once it is free")
    func busyDatabaseLeftInPlace() throws {
        let dir = TemporaryDirectory()
        try EventStore(dataDir: dir.path).append(time: "t", monotonicNs: 1, kind: .start)
        // What `sqlite3` with locking_mode=EXCLUSIVE (a technician's shell, a stuck backup) does to every other opener.
        var holder: SQLiteDatabase? = try SQLiteDatabase(path: dir.file(EventStore.fileName))
        try holder?.execute("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")

        let error = #expect(throws: StoreError.self) { try EventStore(dataDir: dir.path) }
        #expect(error?.isCorruption == false)
        #expect(error?.message.contains("locked") == true)
        let journal = EventJournal(dataDir: dir.path, reopenInterval: .zero)
        #expect(journal.openError?.contains("\(dir.file(EventStore.fileName)) (left in place)") == true)
        #expect(journal.append(time: "t", monotonicNs: 2, kind: .stop) == nil)
        #expect(journal.lastError.withLock { $0 }?.contains("left in place") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("corrupt") }.isEmpty)

        holder = nil
        #expect(journal.append(time: "t", monotonicNs: 3, kind: .start) != nil)
        let events = try EventStore.read(dataDir: dir.path, after: 0, limit: 10)
        #expect(events.map(\.kind) == ["start", "storage_degraded", "start"])
        #expect(events[1].detail?.contains("1 event(s) lost") == true)
        #expect(journal.lastError.withLock { $0 } == nil)
    }

    @Test("a journal that cannot write counts the event as lost and says why")
    func lostWhenUnwritable() throws {
        let dir = TemporaryDirectory()
        let journal = EventJournal(dataDir: dir.path)
        #expect(journal.append(time: "t", monotonicNs: 1, kind: .start) == 1)
        try SQLiteDatabase(path: dir.file(EventStore.fileName)).execute("DROP TABLE events")
        #expect(journal.append(time: "t", monotonicNs: 2, kind: .stop) == nil)
        #expect(journal.lost.load(ordering: .relaxed) == 1)
        #expect(journal.lastError.withLock { $0 }?.contains("events") == true)
    }
}

@Suite("Schema migration")
struct SchemaMigrationTests {
    @Test("a version 1 database (events only) is migrated to the current version and keeps its events")
    func fromVersion1() throws {
        let dir = TemporaryDirectory()
        let old = try SQLiteDatabase(path: dir.file(EventStore.fileName))
        try old.execute(
            """
            CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, monotonic_ns INTEGER NOT NULL,
                kind TEXT NOT NULL, from_state TEXT, to_state TEXT, causes TEXT NOT NULL DEFAULT '',
                reasons TEXT NOT NULL DEFAULT '', source TEXT, detail TEXT);
            INSERT INTO events(time, monotonic_ns, kind) VALUES ('t', 1, 'start');
            PRAGMA user_version = 1;
            """)
        let store = try EventStore(dataDir: dir.path)
        #expect(try SQLiteDatabase(path: store.path).scalar("PRAGMA user_version") == "\(EventStore.schemaVersion)")
        #expect(try EventStore.read(dataDir: dir.path, after: 0, limit: 10).map(\.kind) == ["start"])
        #expect(try EventStore.trips(dataDir: dir.path).isEmpty)
    }
}
