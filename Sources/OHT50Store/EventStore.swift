internal import CSQLite
import FoundationEssentials
import OHT50Core

/// `<data-dir>/firmware.db`: the safety event log. WAL; `synchronous=FULL`, so an event is on disk when
/// its insert returns. A file SQLite calls corrupt at start is moved aside with a timestamp and a new one
/// is started (`recoveredFrom` says so, for an event); a file that cannot be opened for any other reason
/// (permission, another process holding it, a full disk) is left where it is and the error thrown.
public final class EventStore: @unchecked Sendable {
    public static let fileName = "firmware.db"

    private let db: SQLiteDatabase
    private let insert: SQLiteStatement
    private let insertTrip: SQLiteStatement
    public let path: String
    /// Set when a corrupt database was moved aside at start: where it went.
    public let recoveredFrom: String?

    public init(dataDir: String) throws(StoreError) {
        let path = dataDir + "/" + Self.fileName
        self.path = path
        var movedAside: String?
        let opened: SQLiteDatabase
        switch Result(catching: { () throws(StoreError) in try EventStore.openChecked(path) }) {
        case .success(let db):
            opened = db
        case .failure(let error) where error.isCorruption:
            movedAside = Self.moveAside(path)
            opened = try Self.openChecked(path)
        case .failure(let error):
            throw error
        }
        db = opened
        recoveredFrom = movedAside
        try Self.migrate(db)
        insert = try db.prepare(
            "INSERT INTO events(time, monotonic_ns, kind, from_state, to_state, causes, reasons, source, detail) VALUES (?,?,?,?,?,?,?,?,?)"
        )
        insertTrip = try db.prepare(
            "INSERT INTO trips(time, monotonic_ns, causes, from_state, to_state, sample_count, samples, bus) VALUES (?,?,?,?,?,?,?,?)")
    }

    private static func openChecked(_ path: String) throws(StoreError) -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: path)
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        let check = try db.scalar("PRAGMA quick_check")
        guard check == "ok" else { throw StoreError(code: SQLITE_CORRUPT, message: check ?? "no answer", statement: "PRAGMA quick_check") }
        return db
    }

    /// `firmware.db` → `firmware.db.corrupt-20261123T081500Z` (with its -wal and -shm).
    private static func moveAside(_ path: String) -> String {
        let stamp = WallTime.fileStamp(Date())
        let target = "\(path).corrupt-\(stamp)"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try? FileManager.default.moveItem(atPath: path + suffix, toPath: target + suffix)
        }
        return target
    }

    /// Schema steps; step n brings the file from `user_version` n to n + 1. Append, never edit.
    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS events(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            monotonic_ns INTEGER NOT NULL,
            kind TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            causes TEXT NOT NULL DEFAULT '',
            reasons TEXT NOT NULL DEFAULT '',
            source TEXT,
            detail TEXT);
        """,
        """
        CREATE TABLE IF NOT EXISTS trips(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            monotonic_ns INTEGER NOT NULL,
            causes TEXT NOT NULL,
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            sample_count INTEGER NOT NULL,
            samples TEXT NOT NULL,
            bus TEXT NOT NULL);
        """,
        """
        CREATE TABLE IF NOT EXISTS telemetry(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            unix_ms INTEGER NOT NULL,
            module INTEGER NOT NULL,
            type TEXT NOT NULL,
            "values" TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS telemetry_by_time ON telemetry(unix_ms, module);
        """,
    ]

    static var schemaVersion: Int { migrations.count }

    private static func migrate(_ db: SQLiteDatabase) throws(StoreError) {
        let version = Int(try db.scalar("PRAGMA user_version") ?? "0") ?? 0
        for step in version..<migrations.count {
            try db.execute("BEGIN;\n\(migrations[step])\nPRAGMA user_version = \(step + 1);\nCOMMIT;")
        }
    }

    /// Appends one event; returns its id once it is committed.
    @discardableResult
    public func append(
        time: String, monotonicNs: UInt64, kind: EventKind, from: String? = nil, to: String? = nil, causes: [String] = [],
        reasons: [String] = [], source: String? = nil, detail: String? = nil
    ) throws(StoreError) -> Int64 {
        insert.reset()
        insert.bind(1, time)
        insert.bind(2, Int64(bitPattern: monotonicNs))
        insert.bind(3, kind.rawValue)
        insert.bind(4, from)
        insert.bind(5, to)
        insert.bind(6, causes.joined(separator: ","))
        insert.bind(7, reasons.joined(separator: ","))
        insert.bind(8, source)
        insert.bind(9, detail)
        _ = try insert.step()
        return db.lastInsertID
    }

    /// Saves a trip recording; returns its id.
    @discardableResult
    public func append(_ recording: TripRecording) throws(StoreError) -> Int64 {
        insertTrip.reset()
        insertTrip.bind(1, recording.wallTime)
        insertTrip.bind(2, Int64(bitPattern: recording.trip.at))
        insertTrip.bind(3, recording.trip.causes.names.joined(separator: ","))
        insertTrip.bind(4, recording.trip.from.name)
        insertTrip.bind(5, recording.trip.to.name)
        insertTrip.bind(6, Int64(recording.samples.count))
        insertTrip.bind(7, TripRecordingJSON.samples(recording.samples, tripAt: recording.trip.at))
        insertTrip.bind(8, TripRecordingJSON.strings(recording.bus))
        _ = try insertTrip.step()
        return db.lastInsertID
    }

    /// Events with id > `after`, oldest first. Opens its own read connection (WAL: readers never wait
    /// for the writer).
    public static func read(dataDir: String, after: Int64, limit: Int) throws(StoreError) -> [StoredEvent] {
        let db = try SQLiteDatabase(path: dataDir + "/" + fileName, readOnly: true)
        let query = try db.prepare(
            "SELECT id, time, monotonic_ns, kind, from_state, to_state, causes, reasons, source, detail FROM events WHERE id > ? ORDER "
                + "BY id LIMIT ?"
        )
        query.bind(1, after)
        query.bind(2, Int64(limit))
        var events: [StoredEvent] = []
        let list = { (text: String?) in (text ?? "").split(separator: ",").map(String.init) }
        while try query.step() {
            events.append(
                StoredEvent(
                    id: query.int(0), time: query.text(1) ?? "", monotonicNs: query.int(2), kind: query.text(3) ?? "",
                    from: query.text(4), to: query.text(5), causes: list(query.text(6)), reasons: list(query.text(7)),
                    source: query.text(8), detail: query.text(9)))
        }
        return events
    }

    /// The latches that trips set after the last accepted reset, as the log has them: a restart must not
    /// forget them (DESIGN "Single faults"). `discrepancy` is the id of a trip that latched
    /// `estop_discrepancy`; `feedback` the newest contactor-feedback fault (`not_pulled_in`, …) with its
    /// trip's id. Conservative: a discrepancy cleared by a press and release that no reset followed is
    /// latched again, and needs the press and release again.
    public static func latchesSinceLastReset(dataDir: String) throws(StoreError) -> (
        discrepancy: Int64?, feedback: (fault: String, id: Int64)?
    ) {
        let db = try SQLiteDatabase(path: dataDir + "/" + fileName, readOnly: true)
        let lastReset = Int64(try db.scalar("SELECT coalesce(max(id), 0) FROM events WHERE kind = 'reset_accepted'") ?? "0") ?? 0
        let query = try db.prepare("SELECT id, causes, detail FROM events WHERE kind = 'trip' AND id > ? ORDER BY id")
        query.bind(1, lastReset)
        var discrepancy: Int64?
        var feedback: (fault: String, id: Int64)?
        while try query.step() {
            let id = query.int(0)
            let causes = (query.text(1) ?? "").split(separator: ",")
            if causes.contains("estop_discrepancy") && discrepancy == nil { discrepancy = id }
            for field in (query.text(2) ?? "").split(separator: " ") where field.hasPrefix("feedback=") {
                feedback = (String(field.dropFirst("feedback=".count)), id)
            }
        }
        return (discrepancy, feedback)
    }

    /// The id of the newest event (0 when there is none).
    public static func newestID(dataDir: String) throws(StoreError) -> Int64 {
        let db = try SQLiteDatabase(path: dataDir + "/" + fileName, readOnly: true)
        return Int64(try db.scalar("SELECT coalesce(max(id), 0) FROM events") ?? "0") ?? 0
    }

    /// Trips with id > `after`, oldest first; with `id`, that one trip with its samples and bus lines.
    public static func trips(dataDir: String, after: Int64 = 0, limit: Int = 100, id: Int64? = nil) throws(StoreError) -> [StoredTrip] {
        let db = try SQLiteDatabase(path: dataDir + "/" + fileName, readOnly: true)
        let detail = id != nil
        let query = try db.prepare(
            "SELECT id, time, monotonic_ns, causes, from_state, to_state, sample_count\(detail ? ", samples, bus" : "") FROM trips "
                + (detail ? "WHERE id = ?" : "WHERE id > ? ORDER BY id LIMIT ?"))
        query.bind(1, id ?? after)
        if !detail { query.bind(2, Int64(limit)) }
        var trips: [StoredTrip] = []
        while try query.step() {
            var trip = StoredTrip(
                id: query.int(0), time: query.text(1) ?? "", monotonicNs: query.int(2),
                causes: (query.text(3) ?? "").split(separator: ",").map(String.init), from: query.text(4) ?? "",
                to: query.text(5) ?? "", sampleCount: query.int(6))
            if detail {
                let decoder = WireJSON.decoder()
                trip.samples = query.text(7).flatMap { try? decoder.decode(TripRecordingJSON.Columns.self, from: Data($0.utf8)) }
                trip.bus = query.text(8).flatMap { try? decoder.decode([String].self, from: Data($0.utf8)) }
            }
            trips.append(trip)
        }
        return trips
    }
}
