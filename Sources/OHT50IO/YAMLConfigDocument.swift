import OHT50Core
import Yams

/// Turns the text of a YAML config file into a `ConfigNode`, keeping each value's line for errors.
enum YAMLConfigDocument {
    static func parse(_ text: String, path: String) throws -> ConfigNode {
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            var line = 1
            if case YamlError.parser(_, _, let mark, _) = error { line = mark.line }
            if case YamlError.scanner(_, _, let mark, _) = error { line = mark.line }
            throw ConfigError(
                origin: .file(path: path, line: line), key: "(document)", value: nil,
                problem: "is not valid YAML (\(error))", allowed: "a YAML mapping, see config/firmware.yaml")
        }
        guard let root else { return .mapping([], .file(path: path, line: 1)) }
        return try convert(root, path: path)
    }

    private static func convert(_ node: Yams.Node, path: String) throws -> ConfigNode {
        let origin = ConfigOrigin.file(path: path, line: node.mark?.line ?? 1)
        switch node {
        case .scalar(let scalar):
            let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]
            if scalar.style == .plain && nullSpellings.contains(scalar.string) { return .null(origin) }
            return .scalar(scalar.string, origin)
        case .sequence(let sequence):
            return .sequence(try sequence.map { try convert($0, path: path) }, origin)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw ConfigError(
                        origin: origin, key: "(key)", value: nil, problem: "is not a plain key", allowed: "names such as safety, cycle_ms")
                }
                entries.append(ConfigEntry(key: k.string, value: try convert(value, path: path)))
            }
            return .mapping(entries, origin)
        case .alias:
            throw ConfigError(
                origin: origin, key: "(alias)", value: nil, problem: "YAML aliases are not supported", allowed: "plain values")
        }
    }
}
