import FoundationEssentials
import Logging
import OHT50Core
import Synchronization

/// One line per event on stderr in logfmt (`level=info msg="…" key=value`). When stderr is the
/// journal (`JOURNAL_STREAM` is set) each line starts with a `<N>` syslog priority, so
/// `journalctl -u oht50-firmware -p err` filters by level; the journal adds its own timestamp.
///
/// Every handler shares one threshold, so a reload (SIGHUP) that changes `log.level` reaches every
/// logger already handed out.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let journal: Bool

    private static let output = Mutex(())
    private static let threshold = Atomic<UInt8>(2)
    private static let levels = Logger.Level.allCases

    /// The process-wide level; setting it on any logger sets it for all.
    public var logLevel: Logger.Level {
        get { Self.level }
        set { Self.level = newValue }
    }

    public static var level: Logger.Level {
        get { levels[Int(threshold.load(ordering: .relaxed))] }
        set { threshold.store(UInt8(levels.firstIndex(of: newValue) ?? 2), ordering: .relaxed) }
    }

    /// Applies `log.level` from the configuration to every logger (at start and on reload).
    public static func apply(_ configured: LogLevel) {
        level = Logger.Level(rawValue: configured.rawValue) ?? .info
    }

    /// New handlers share the current level (info until the configuration sets it).
    public init(label: String, journal: Bool) {
        self.label = label
        self.journal = journal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = journal ? "<\(Self.priority(event.level))>" : "ts=\(Self.timestamp()) "
        line += "level=\(event.level) msg=\(Self.quote(event.message.description))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote(merged[key]!.description))"
        }
        line += "\n"
        Self.output.withLock { _ in Console.write(line, to: 2) }
    }

    /// syslog priorities: journald maps `<N>` to PRIORITY=N.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar != "\"" && scalar != "=" && scalar != "\\" && scalar.value < 0x7F
            }
        if plain { return value }
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    static func timestamp() -> String { WallTime.iso8601(Date()) }
}
