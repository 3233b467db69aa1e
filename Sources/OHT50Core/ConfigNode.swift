/// A parsed configuration document, independent of its syntax: the YAML loader in OHT50IO builds it,
/// environment variables and flags are laid over it, and `FirmwareConfig` is decoded from it.
public indirect enum ConfigNode: Sendable, Equatable {
    case scalar(String, ConfigOrigin)
    case null(ConfigOrigin)
    case mapping([ConfigEntry], ConfigOrigin)
    case sequence([ConfigNode], ConfigOrigin)

    public var origin: ConfigOrigin {
        switch self {
        case .scalar(_, let o), .null(let o), .mapping(_, let o), .sequence(_, let o): o
        }
    }

    /// The node with the scalar at a dotted path replaced (or added, creating mappings on the way).
    public func setting(_ path: [String], to value: ConfigNode) -> ConfigNode {
        guard let key = path.first else { return value }
        var entries: [ConfigEntry]
        let origin: ConfigOrigin
        if case .mapping(let existing, let o) = self {
            entries = existing
            origin = o
        } else {
            entries = []
            origin = value.origin
        }
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = entries[index].value.setting(Array(path.dropFirst()), to: value)
        } else {
            entries.append(ConfigEntry(key: key, value: ConfigNode.null(value.origin).setting(Array(path.dropFirst()), to: value)))
        }
        return .mapping(entries, origin)
    }
}

public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: ConfigNode

    public init(key: String, value: ConfigNode) {
        self.key = key
        self.value = value
    }
}
