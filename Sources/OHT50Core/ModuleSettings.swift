/// One entry of `modules:`.
public struct ModuleSettings: Sendable, Equatable {
    public var address: Int
    public var type: ModuleType
    public var pollMs: Int
    public var required: Bool
    /// A drive's own host watchdog (motor register 0x0D), written at start: the drive stops itself
    /// when the daemon's control writes stop for this long. 0 = off.
    public var hostWatchdogMs: Int

    public init(address: Int, type: ModuleType, pollMs: Int? = nil, required: Bool? = nil, hostWatchdogMs: Int = 0) {
        self.address = address
        self.type = type
        self.pollMs = pollMs ?? type.defaultPollMs
        self.required = required ?? type.requiredByDefault
        self.hostWatchdogMs = hostWatchdogMs
    }

    static let listShape = "a list of {address, type, poll_ms, required, host_watchdog_ms}"

    static func decodeList(_ node: ConfigNode?, parentOrigin: ConfigOrigin) throws -> [ModuleSettings] {
        let items: [ConfigNode]
        switch node {
        case nil, .null: return []
        case .sequence(let list, _): items = list
        case .scalar(let value, let o):
            throw ConfigError(
                origin: o, key: "modules", value: value, problem: "is not a list",
                allowed: Self.listShape)
        case .mapping(_, let o):
            throw ConfigError(
                origin: o, key: "modules", value: nil, problem: "is not a list",
                allowed: Self.listShape)
        }
        var modules: [ModuleSettings] = []
        for (index, item) in items.enumerated() {
            var m = try ConfigMapping(item, path: "modules[\(index)]", parentOrigin: parentOrigin)
            guard let (text, o) = try m.scalar("address", allowed: "1 to 247") else {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("address"), value: nil, problem: "is missing",
                    allowed: "a Modbus address from 1 to 247")
            }
            guard let address = Int(text), (1...247).contains(address) else {
                throw ConfigError(
                    origin: o, key: m.qualified("address"), value: text, problem: "is not a unicast Modbus address", allowed: "1 to 247")
            }
            if modules.contains(where: { $0.address == address }) {
                throw ConfigError(
                    origin: o, key: m.qualified("address"), value: text, problem: "is used by another module", allowed: "each address once")
            }
            let types = ModuleType.allCases.map(\.rawValue).joined(separator: ", ")
            guard let (typeText, typeOrigin) = try m.scalar("type", allowed: "one of \(types)") else {
                throw ConfigError(origin: m.origin, key: m.qualified("type"), value: nil, problem: "is missing", allowed: "one of \(types)")
            }
            guard let type = ModuleType(rawValue: typeText) else {
                throw ConfigError(
                    origin: typeOrigin, key: m.qualified("type"), value: typeText, problem: "is not a known module type",
                    allowed: "one of \(types)")
            }
            let pollMs = try m.int("poll_ms", default: type.defaultPollMs, range: 5...60_000, unit: " ms")
            let required = try m.bool("required", default: type.requiredByDefault)
            let watchdog = try m.int("host_watchdog_ms", default: 0, range: 0...60_000, unit: " ms")
            if watchdog != 0 && type != .motor {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("host_watchdog_ms"), value: "\(watchdog)",
                    problem: "is a drive's register (0x0D); a \(type.rawValue) module has none", allowed: "0, or type motor")
            }
            if watchdog != 0 && watchdog < 2 * pollMs {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("host_watchdog_ms"), value: "\(watchdog)",
                    problem: "is shorter than two polls (poll_ms \(pollMs)): the daemon refreshes it at its polls",
                    allowed: "0 (off) or \(2 * pollMs)–60000")
            }
            try m.rejectUnknownKeys()
            modules.append(ModuleSettings(address: address, type: type, pollMs: pollMs, required: required, hostWatchdogMs: watchdog))
        }
        return modules
    }
}
