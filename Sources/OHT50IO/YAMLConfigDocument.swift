import CYAML
import OHT50Core

/// Turns the text of a YAML config file into a `ConfigNode`, keeping each value's line for errors.
/// Debian's libyaml parses (its event API, one pass): the config is a YAML 1.1 mapping of mappings,
/// lists and plain values, so no node graph is built. Aliases, non-scalar keys, a key given twice in
/// one mapping and a second document are errors naming the line.
enum YAMLConfigDocument {
    static func parse(_ text: String, path: String) throws -> ConfigNode {
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { bytes in
            var reader = EventReader(path: path, text: text)
            yaml_parser_initialize(&reader.parser)
            defer { yaml_parser_delete(&reader.parser) }
            yaml_parser_set_encoding(&reader.parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&reader.parser, bytes.baseAddress, bytes.count)
            return try reader.document()
        }
    }
}

/// libyaml's parser and the events it hands out, one at a time.
private struct EventReader {
    var parser = yaml_parser_t()
    let path: String
    let lines: [Substring]

    init(path: String, text: String) {
        self.path = path
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// A parsed event, copied out of libyaml's (which is deleted at once).
    enum Event {
        case streamStart, streamEnd, documentStart, documentEnd, sequenceStart, sequenceEnd, mappingStart, mappingEnd
        case scalar(String, plain: Bool)
        case alias
    }

    mutating func next() throws -> (Event, line: Int) {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw syntaxError() }
        defer { yaml_event_delete(&event) }
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_STREAM_START_EVENT: return (.streamStart, line)
        case YAML_STREAM_END_EVENT: return (.streamEnd, line)
        case YAML_DOCUMENT_START_EVENT: return (.documentStart, line)
        case YAML_DOCUMENT_END_EVENT: return (.documentEnd, line)
        case YAML_SEQUENCE_START_EVENT: return (.sequenceStart, line)
        case YAML_SEQUENCE_END_EVENT: return (.sequenceEnd, line)
        case YAML_MAPPING_START_EVENT: return (.mappingStart, line)
        case YAML_MAPPING_END_EVENT: return (.mappingEnd, line)
        case YAML_ALIAS_EVENT: return (.alias, line)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
            return (.scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE), line)
        default:
            throw invalid(line: line, "an event libyaml should not produce here")
        }
    }

    /// The whole stream: nothing (an empty file is an empty mapping) or exactly one document.
    mutating func document() throws -> ConfigNode {
        _ = try next()  // stream start
        let (first, line) = try next()
        guard case .documentStart = first else { return .mapping([], .file(path: path, line: line)) }
        let root = try node(try next(), at: "")
        _ = try next()  // document end
        let (after, afterLine) = try next()
        if case .documentStart = after {
            throw ConfigError(
                origin: .file(path: path, line: afterLine), key: "(document)", value: nil,
                problem: "is a second YAML document in the file", allowed: "one document: the configuration mapping")
        }
        return root
    }

    /// - Parameter key: the dotted key of this node (`safety.cycle_ms`, `modules[1].address`), for errors.
    private mutating func node(_ start: (Event, line: Int), at key: String) throws -> ConfigNode {
        let origin = ConfigOrigin.file(path: path, line: start.line)
        switch start.0 {
        case .scalar(let value, let plain):
            let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]
            return plain && nullSpellings.contains(value) ? .null(origin) : .scalar(value, origin)
        case .sequenceStart:
            var items: [ConfigNode] = []
            while true {
                let item = try next()
                if case .sequenceEnd = item.0 { return .sequence(items, origin) }
                items.append(try node(item, at: "\(key)[\(items.count)]"))
            }
        case .mappingStart:
            var entries: [ConfigEntry] = []
            var seen: [String: Int] = [:]
            while true {
                let entry = try next()
                if case .mappingEnd = entry.0 { return .mapping(entries, origin) }
                guard case .scalar(let name, _) = entry.0 else {
                    throw ConfigError(
                        origin: .file(path: path, line: entry.line), key: key.isEmpty ? "(key)" : "\(key).(key)", value: nil,
                        problem: "is not a plain key", allowed: "names such as safety, cycle_ms")
                }
                let child = key.isEmpty ? name : "\(key).\(name)"
                if let first = seen[name] {
                    throw ConfigError(
                        origin: .file(path: path, line: entry.line), key: child, value: nil,
                        problem: "is given twice (first at line \(first))", allowed: "each key once")
                }
                seen[name] = entry.line
                entries.append(ConfigEntry(key: name, value: try node(try next(), at: child)))
            }
        case .alias:
            throw ConfigError(
                origin: origin, key: key.isEmpty ? "(document)" : key, value: nil,
                problem: "is a YAML alias (*name), which is not supported",
                allowed: "the value written out")
        default:
            throw invalid(line: start.line, "unexpected structure")
        }
    }

    /// libyaml's scanner or parser error: what it found where, in what it was reading, and that line's text.
    private func syntaxError() -> ConfigError {
        let mark = parser.problem_mark
        let line = Int(mark.line) + 1
        var text = parser.problem.map { String(cString: $0) } ?? "unreadable input"
        text += " at line \(line), column \(Int(mark.column) + 1)"
        if let context = parser.context {
            let contextMark = parser.context_mark
            text += ", \(String(cString: context)) that starts at line \(Int(contextMark.line) + 1), column \(Int(contextMark.column) + 1)"
        }
        // The line it stopped on, or when that is empty (the end of the file), the line where what it
        // was reading starts.
        let shown = [line, parser.context == nil ? line : Int(parser.context_mark.line) + 1].first {
            $0 <= lines.count && !lines[$0 - 1].trimmed.isEmpty
        }
        if let shown { text += "; line \(shown) reads \"\(lines[shown - 1].replacing("\t", with: "\\t"))\"" }
        return invalid(line: line, text)
    }

    private func invalid(line: Int, _ text: String) -> ConfigError {
        ConfigError(
            origin: .file(path: path, line: line), key: "(document)", value: nil, problem: "is not valid YAML (\(text))",
            allowed: "a YAML mapping, see config/firmware.yaml")
    }
}
