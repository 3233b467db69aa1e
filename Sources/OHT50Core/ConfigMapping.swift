/// Reads one mapping of the config document key by key, remembering which keys it was asked for so
/// that anything else is reported as unknown rather than silently ignored.
struct ConfigMapping {
    let path: String
    let origin: ConfigOrigin
    private let entries: [ConfigEntry]
    private var known: [String] = []

    init(_ node: ConfigNode?, path: String, parentOrigin: ConfigOrigin) throws {
        self.path = path
        switch node {
        case nil:
            self.entries = []
            self.origin = parentOrigin
        case .null(let o):
            self.entries = []
            self.origin = o
        case .mapping(let entries, let o):
            self.entries = entries
            self.origin = o
        case .scalar(let value, let o):
            throw ConfigError(origin: o, key: path, value: value, problem: "is a single value", allowed: "a mapping of keys")
        case .sequence(_, let o):
            throw ConfigError(origin: o, key: path, value: nil, problem: "is a list", allowed: "a mapping of keys")
        }
        var seen: Set<String> = []
        for entry in entries where !seen.insert(entry.key).inserted {
            throw ConfigError(
                origin: entry.value.origin, key: qualified(entry.key), value: nil, problem: "appears twice",
                allowed: "each key once")
        }
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is present, without asking for it.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    mutating func node(_ key: String) -> ConfigNode? {
        known.append(key)
        return entries.first { $0.key == key }?.value
    }

    mutating func mapping(_ key: String) throws -> ConfigMapping {
        try ConfigMapping(node(key), path: qualified(key), parentOrigin: origin)
    }

    /// The scalar at `key`, `nil` when absent. A null or non-scalar value is an error.
    mutating func scalar(_ key: String, allowed: String) throws -> (String, ConfigOrigin)? {
        switch node(key) {
        case nil: return nil
        case .scalar(let value, let o): return (value, o)
        case .null(let o):
            throw ConfigError(origin: o, key: qualified(key), value: nil, problem: "has no value", allowed: allowed)
        case .mapping(_, let o), .sequence(_, let o):
            throw ConfigError(origin: o, key: qualified(key), value: nil, problem: "is not a single value", allowed: allowed)
        }
    }

    mutating func int(_ key: String, default value: Int, range: ClosedRange<Int>, unit: String = "") throws -> Int {
        try optionalInt(key, range: range, unit: unit) ?? value
    }

    mutating func optionalInt(_ key: String, range: ClosedRange<Int>, unit: String = "") throws -> Int? {
        let allowed = "an integer from \(range.lowerBound) to \(range.upperBound)\(unit)"
        guard let (text, o) = try scalar(key, allowed: allowed) else { return nil }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw ConfigError(
                origin: o, key: qualified(key), value: text,
                problem: Int(text) == nil ? "is not an integer" : "is out of range", allowed: allowed)
        }
        return parsed
    }

    mutating func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let (text, o) = try scalar(key, allowed: "true or false") else { return value }
        switch text {
        case "true": return true
        case "false": return false
        default:
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is not a boolean", allowed: "true or false")
        }
    }

    mutating func string(_ key: String, default value: String) throws -> String {
        try optionalString(key) ?? value
    }

    mutating func optionalString(_ key: String) throws -> String? {
        let allowed = "a non-empty string"
        guard let (text, o) = try scalar(key, allowed: allowed) else { return nil }
        guard !text.isEmpty else {
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is empty", allowed: allowed)
        }
        return text
    }

    /// A non-empty string, or `nil` when absent or null.
    mutating func nullableString(_ key: String) throws -> String? {
        if case .null? = node(key) { return nil }
        return try optionalString(key)
    }

    /// An absolute path a unix socket can bind (`UnixSocketAddress.maxPathBytes`).
    mutating func socketPath(_ key: String, default value: String) throws -> String {
        let allowed = "an absolute path of at most \(UnixSocketAddress.maxPathBytes) bytes, e.g. /run/oht50/control.sock"
        guard let (text, o) = try scalar(key, allowed: allowed) else { return value }
        guard text.hasPrefix("/") else {
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is not an absolute path", allowed: allowed)
        }
        guard text.utf8.count <= UnixSocketAddress.maxPathBytes else {
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is \(text.utf8.count) bytes long", allowed: allowed)
        }
        return text
    }

    /// A list of non-empty strings at `key`; `nil` when absent or null (the default applies).
    mutating func optionalStringList(_ key: String, allowed: String) throws -> [String]? {
        switch node(key) {
        case nil, .null?: return nil
        case .scalar(let value, let o)?:
            throw ConfigError(origin: o, key: qualified(key), value: value, problem: "is a single value", allowed: allowed)
        case .mapping(_, let o)?:
            throw ConfigError(origin: o, key: qualified(key), value: nil, problem: "is a mapping", allowed: allowed)
        case .sequence(let items, _)?:
            return try items.enumerated().map { index, item in
                guard case .scalar(let text, let o) = item, !text.isEmpty else {
                    throw ConfigError(
                        origin: item.origin, key: "\(qualified(key))[\(index)]", value: nil, problem: "is not a non-empty string",
                        allowed: allowed)
                }
                _ = o
                return text
            }
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default value: T) throws -> T
    where T.RawValue == String {
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        guard let (text, o) = try scalar(key, allowed: "one of \(allowed)") else { return value }
        guard let parsed = T(rawValue: text) else {
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is not a known value", allowed: "one of \(allowed)")
        }
        return parsed
    }

    /// A line's backend. `simulated` exists only under `--simulate`, which builds the simulated vehicle
    /// itself: selected from a file or an `OHT50_*` variable, the E-stop would always read released and
    /// safe-off would touch nothing.
    mutating func lineBackend(_ key: String, default value: LineBackend) throws -> LineBackend {
        let allowed = "one of gpiod, sysfs"
        guard let (text, o) = try scalar(key, allowed: allowed) else { return value }
        switch LineBackend(rawValue: text) {
        case .gpiod?: return .gpiod
        case .sysfs?: return .sysfs
        case .simulated?:
            throw ConfigError(
                origin: o, key: qualified(key), value: text,
                problem:
                    "exists only under oht50d --simulate, which makes the simulated vehicle itself; here the E-stop would always read "
                    + "released",
                allowed: allowed)
        case nil:
            throw ConfigError(origin: o, key: qualified(key), value: text, problem: "is not a known value", allowed: allowed)
        }
    }

    /// An input or output line must say where it is for its backend: gpiod a chip and a line, sysfs a file.
    func requireLine(_ backend: LineBackend, chip: String?, line: Int?, sysfsPath: String?, example: String) throws {
        switch backend {
        case .gpiod where chip == nil || line == nil:
            throw ConfigError(
                origin: origin, key: path, value: nil, problem: "uses backend gpiod without chip and line",
                allowed: "chip (name, path or label) and line (0–1023)")
        case .sysfs where sysfsPath == nil:
            throw ConfigError(
                origin: origin, key: path, value: nil, problem: "uses backend sysfs without sysfs_path",
                allowed: "sysfs_path, e.g. \(example)")
        default:
            return
        }
    }

    /// Call last: any key nobody asked for is a mistake in the file.
    func rejectUnknownKeys() throws {
        for entry in entries where !known.contains(entry.key) {
            throw ConfigError(
                origin: entry.value.origin, key: qualified(entry.key), value: nil, problem: "is not a known key",
                allowed: known.joined(separator: ", "))
        }
    }
}
