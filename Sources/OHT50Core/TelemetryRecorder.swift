/// Where the 1 Hz telemetry sampler puts each module's values (the telemetry history store).
public protocol TelemetryRecorder: Sendable {
    /// - Parameter unixMs: wall-clock time of the reading, milliseconds since 1970.
    func record(address: Int, type: ModuleType, values: [DecodedValue], unixMs: Int64)
    /// Drops rows past the retention window or the size cap.
    func prune(nowUnixMs: Int64)
}
