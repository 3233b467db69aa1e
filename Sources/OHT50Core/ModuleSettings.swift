/// One entry of `modules:`.
public struct ModuleSettings: Sendable, Equatable {
    public var address: Int
    public var type: ModuleType
    public var pollMs: Int
    public var required: Bool

    public init(address: Int, type: ModuleType, pollMs: Int? = nil, required: Bool? = nil) {
        self.address = address
        self.type = type
        self.pollMs = pollMs ?? type.defaultPollMs
        self.required = required ?? type.requiredByDefault
    }

    static func decodeList(_ node: ConfigNode?, parentOrigin: ConfigOrigin) throws -> [ModuleSettings] {
        let items: [ConfigNode]
        switch node {
        case nil, .null: return []
        case .sequence(let list, _): items = list
        case .scalar(let value, let o):
            throw ConfigError(
                origin: o, key: "modules", value: value, problem: "is not a list", allowed: "a list of {address, type, poll_ms, required}")
        case .mapping(_, let o):
            throw ConfigError(
                origin: o, key: "modules", value: nil, problem: "is not a list", allowed: "a list of {address, type, poll_ms, required}")
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
            try m.rejectUnknownKeys()
            modules.append(ModuleSettings(address: address, type: type, pollMs: pollMs, required: required))
        }
        return modules
    }
}
