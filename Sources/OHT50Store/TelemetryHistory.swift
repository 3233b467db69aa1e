import FoundationEssentials
import OHT50Core
import Synchronization

/// Telemetry history in `firmware.db`: one row per module per second, on its own connection with
/// `synchronous=NORMAL` (losing the last second of telemetry in a power cut is acceptable; losing a
/// safety event is not). Kept `storage.telemetry_retention_days` and at most `maxRows` rows.
public final class TelemetryHistory: TelemetryRecorder, @unchecked Sendable {
    /// About 100 MB: two modules at 1 Hz for 30 days fit (5.2 M rows would not; the cap wins).
    public static let defaultMaxRows: Int64 = 1_000_000
    private let maxRows: Int64
    private let db: Mutex<(SQLiteDatabase, SQLiteStatement)?>
    private let retentionMs: Int64
    public let dataDir: String
    public let lost = Atomic<UInt64>(0)

    /// Opens after `EventStore` created and migrated the file.
    public init(dataDir: String, retentionDays: Int, maxRows: Int64 = defaultMaxRows) throws(StoreError) {
        self.dataDir = dataDir
        self.maxRows = maxRows
        retentionMs = Int64(retentionDays) * 86_400_000
        let connection = try SQLiteDatabase(path: dataDir + "/" + EventStore.fileName)
        try connection.execute("PRAGMA synchronous=NORMAL")
        let insert = try connection.prepare("INSERT INTO telemetry(unix_ms, module, type, \"values\") VALUES (?,?,?,?)")
        db = Mutex((connection, insert))
    }

    public func record(address: Int, type: ModuleType, values: [DecodedValue], unixMs: Int64) {
        let json = WireJSON.string(Dictionary(uniqueKeysWithValues: values.map { ($0.name, $0.value) }), fallback: "{}")
        db.withLock { db in
            guard let (_, insert) = db else { return }
            insert.reset()
            insert.bind(1, unixMs)
            insert.bind(2, Int64(address))
            insert.bind(3, type.rawValue)
            insert.bind(4, json)
            do { _ = try insert.step() } catch { lost.wrappingAdd(1, ordering: .relaxed) }
        }
    }

    public func prune(nowUnixMs: Int64) {
        db.withLock { db in
            guard let (connection, _) = db else { return }
            try? connection.execute("DELETE FROM telemetry WHERE unix_ms < \(nowUnixMs - retentionMs)")
            try? connection.execute(
                "DELETE FROM telemetry WHERE id <= (SELECT max(id) FROM telemetry) - \(maxRows)")
        }
    }

    public struct Row: Sendable, Codable {
        public var time: String
        public var unixMs: Int64
        public var module: Int
        public var type: String
        public var values: [String: Double]
    }

    /// Rows of one module (or all) between two times, oldest first.
    public func rows(module: Int?, fromMs: Int64, toMs: Int64, limit: Int) throws(StoreError) -> [Row] {
        let reader = try SQLiteDatabase(path: dataDir + "/" + EventStore.fileName, readOnly: true)
        let query = try reader.prepare(
            "SELECT unix_ms, module, type, \"values\" FROM telemetry WHERE unix_ms >= ? AND unix_ms <= ?"
                + (module == nil ? "" : " AND module = ?") + " ORDER BY unix_ms, module LIMIT ?")
        query.bind(1, fromMs)
        query.bind(2, toMs)
        if let module {
            query.bind(3, Int64(module))
            query.bind(4, Int64(limit))
        } else {
            query.bind(3, Int64(limit))
        }
        var rows: [Row] = []
        while try query.step() {
            let ms = query.int(0)
            let values = (try? JSONDecoder().decode([String: Double].self, from: Data((query.text(3) ?? "{}").utf8))) ?? [:]
            rows.append(
                Row(
                    time: WallTime.iso8601(Date(timeIntervalSince1970: Double(ms) / 1000)), unixMs: ms,
                    module: Int(query.int(1)), type: query.text(2) ?? "", values: values))
        }
        return rows
    }
}
