import FoundationEssentials
import OHT50Core
import OHT50IO

extension WallTime {
    /// The wall-clock time of a `MonotonicClock` reading, as `iso8601(_:)` writes it.
    public static func iso8601(monotonic t: UInt64) -> String {
        iso8601(Date(timeIntervalSince1970: MonotonicClock.wallSeconds(ofMonotonic: t)))
    }
}
