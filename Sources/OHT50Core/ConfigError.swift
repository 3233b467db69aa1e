/// A configuration problem, told the way a technician needs it: where, which key, what value, what is
/// allowed. The daemon exits 78 (EX_CONFIG) on one.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var origin: ConfigOrigin
    public var key: String
    /// The offending value as written, `nil` when the problem is a missing or unknown key.
    public var value: String?
    public var problem: String
    public var allowed: String

    public init(origin: ConfigOrigin, key: String, value: String?, problem: String, allowed: String) {
        self.origin = origin
        self.key = key
        self.value = value
        self.problem = problem
        self.allowed = allowed
    }

    /// The value is shown unless it came from the environment: that is where secrets live (the shared
    /// `.env`), and a rejected setting is named well enough by its variable.
    public var description: String {
        let shown: String
        switch (origin, value) {
        case (.environment, .some): shown = " (value not shown: it came from the environment)"
        case (_, .some(let value)): shown = " = \"\(value)\""
        case (_, nil): shown = ""
        }
        return "\(origin): \(key)\(shown): \(problem); allowed: \(allowed)"
    }
}
