import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// Plain lines, JSON or CSV, to stdout; errors to stderr.
enum Output {
    static func line(_ text: String) { Console.out(text) }
    static func error(_ text: String) { Console.error(text) }

    static func json(_ value: some Encodable) {
        line(WireJSON.string(value))
    }

    static func csv(_ rows: [[String]]) {
        for row in rows {
            line(
                row.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacing("\"", with: "\"\"") + "\"" : $0 }
                    .joined(separator: ","))
        }
    }
}
