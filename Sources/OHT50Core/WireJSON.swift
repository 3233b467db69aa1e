import FoundationEssentials

/// How everything oht50d writes as JSON is encoded — HTTP answers, `doctor --json`, rs485-probe's
/// `--json`, trip recordings in the event store — so a field has one name everywhere: the Swift name in
/// snake_case (`lastCycleAgeMs` → `last_cycle_age_ms`, `lastCPU` → `last_cpu`). Keys are sorted (stable
/// for diffs and scripts) and slashes are not escaped. A type declares `CodingKeys` only where its wire
/// name is not its Swift name in snake case, or to encode a nil as `null`. Dictionary keys (register
/// names) are written as they are.
public enum WireJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Reads what `encoder` wrote (stored recordings). Names with an acronym (`lastCPU`) do not round-trip.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// `value` as compact JSON text; `fallback` if it cannot be encoded (a non-finite number).
    public static func string(_ value: some Encodable, fallback: String = "null") -> String {
        (try? encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? fallback
    }
}
