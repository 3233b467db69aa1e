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

    public var description: String { "SQLite error \(code) (\(message)) in: \(statement)" }
}
