internal import CSQLite
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// An online copy of `firmware.db` through SQLite's backup API: consistent while the daemon writes,
/// and it never blocks the writer for long (pages are copied in steps).
public enum DatabaseBackup {
    /// Copies `<dataDir>/firmware.db` to `destination` (written to a temporary file, then renamed, so a
    /// failed backup never leaves a half-written file under the requested name). Returns the page count.
    @discardableResult
    public static func copy(dataDir: String, to destination: String) throws(StoreError) -> Int32 {
        let sourcePath = dataDir + "/" + EventStore.fileName
        guard FileManager.default.fileExists(atPath: sourcePath) else {
            throw StoreError(code: SQLITE_CANTOPEN, message: "no database at \(sourcePath)", statement: "backup")
        }
        let source = try SQLiteDatabase(path: sourcePath, readOnly: true)
        let temporary = destination + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        let target = try SQLiteDatabase(path: temporary)
        guard let backup = sqlite3_backup_init(target.handle, "main", source.handle, "main") else {
            throw target.error(sqlite3_errcode(target.handle), "backup_init \(sourcePath) → \(destination)")
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, 64)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(5) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let pages = sqlite3_backup_pagecount(backup)
        sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE else { throw target.error(rc, "backup_step \(sourcePath) → \(destination)") }
        let check = try target.scalar("PRAGMA integrity_check")
        guard check == "ok" else {
            throw StoreError(code: SQLITE_CORRUPT, message: check ?? "no answer", statement: "integrity_check of the copy")
        }
        // rename(2) replaces an existing destination atomically.
        guard rename(temporary, destination) == 0 else {
            throw StoreError(
                code: SQLITE_CANTOPEN, message: String(cString: strerror(errno)), statement: "rename \(temporary) → \(destination)")
        }
        return pages
    }
}
