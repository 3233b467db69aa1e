import FoundationEssentials
import OHT50Core

/// A recording's samples as columns (one array per field, times relative to the trip), which keeps
/// two seconds at 1 kHz to a few tens of kilobytes and is easy to plot.
public enum TripRecordingJSON {
    public struct Columns: Codable, Sendable {
        var offsetMs: [Double]
        var state: [String]
        var estopRaw: [Int]
        var motionEnable: [Bool]
        var driveSpeed: [Int]
        var wakeupLatencyUs: [UInt32]
        var causes: [String]
        /// With two E-stop channels: the second channel's raw values.
        var estopSecondRaw: [Int]?
        /// With a contactor feedback: its raw values.
        var feedbackRaw: [Int]?
    }

    static func samples(_ samples: [LoopSample], tripAt: UInt64) -> String {
        let columns = Columns(
            offsetMs: samples.map { -Double(tripAt - min(tripAt, $0.at)) / 1e6 },
            state: samples.map(\.state.name), estopRaw: samples.map { Int($0.estopRaw) },
            motionEnable: samples.map(\.motionEnable), driveSpeed: samples.map { Int($0.driveSpeedPercent) },
            wakeupLatencyUs: samples.map(\.wakeupLatencyUs), causes: samples.map { $0.causes.names.joined(separator: ",") },
            estopSecondRaw: column(samples, \.estopSecondRaw), feedbackRaw: column(samples, \.feedbackRaw))
        return WireJSON.string(columns, fallback: "{}")
    }

    /// A column of an optional line: absent when no sample has it.
    private static func column(_ samples: [LoopSample], _ field: KeyPath<LoopSample, Int8?>) -> [Int]? {
        guard samples.contains(where: { $0[keyPath: field] != nil }) else { return nil }
        return samples.map { Int($0[keyPath: field] ?? -1) }
    }

    static func strings(_ lines: [String]) -> String {
        WireJSON.string(lines, fallback: "[]")
    }
}
