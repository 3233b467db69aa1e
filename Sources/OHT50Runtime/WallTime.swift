import Foundation
import OHT50IO

/// Wall-clock times as reports and logs carry them: ISO 8601, UTC, milliseconds.
public enum WallTime {
    public static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    public static func iso8601(monotonic t: UInt64) -> String {
        iso8601(Date(timeIntervalSince1970: MonotonicClock.wallSeconds(ofMonotonic: t)))
    }
}
