internal import CSQLite

/// A SQLite failure: the result code, SQLite's own message, and the statement or step that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var statement: String

    public init(code: Int32, message: String, statement: String) {
        self.code = code
        self.message = message
        self.statement = statement
    }

    /// SQLite itself says the file is damaged or is no database (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, a
    /// failed `quick_check`). Anything else — permission, busy, a full disk — says nothing about the file.
    package var isCorruption: Bool {
        let primary = code & 0xFF
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
    }

    public var description: String { "SQLite error \(code) (\(message)) in: \(statement)" }
}
