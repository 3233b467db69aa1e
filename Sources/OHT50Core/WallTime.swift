import FoundationEssentials

/// Wall-clock times as reports, logs and file names carry them: ISO 8601, UTC. Foundation's format
/// styles from FoundationEssentials (no ICU: issue 30).
public enum WallTime {
    /// `2026-11-23T08:15:00.123Z`: milliseconds, UTC.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// `20261123T081500Z`: ISO 8601's basic format, for a file name (`firmware.db.corrupt-…`).
    public static func fileStamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false).timeSeparator(.omitted)
                .timeZone(separator: .omitted))
    }

    /// An ISO 8601 time with or without fractional seconds (`2026-11-23T08:00:00Z`,
    /// `2026-11-23T08:00:00.250+01:00`); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        for fractional in [true, false] {
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: fractional)
            if let date = try? style.parse(text) { return date }
        }
        return nil
    }
}
