import Foundation
import OHT50Core

/// Plain lines, JSON or CSV, to stdout; errors to stderr.
enum Output {
    static func line(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    static func json(_ value: some Encodable) {
        line(WireJSON.string(value))
    }

    static func csv(_ rows: [[String]]) {
        for row in rows {
            line(
                row.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                    .joined(separator: ","))
        }
    }
}
