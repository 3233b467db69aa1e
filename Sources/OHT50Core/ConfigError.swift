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

    public var description: String {
        let shown = value.map { " = \"\($0)\"" } ?? ""
        return "\(origin): \(key)\(shown): \(problem); allowed: \(allowed)"
    }
}
