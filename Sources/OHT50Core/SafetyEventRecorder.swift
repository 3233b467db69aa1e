/// Where the event pump hands each safety event after logging it (the storage writer), off the RT thread.
public protocol SafetyEventRecorder: Sendable {
    /// - Parameters:
    ///   - source: who caused it (peer and request id), nil for the safety thread's own events.
    ///   - wallTime: ISO 8601 UTC.
    func record(_ event: SafetyEvent, source: String?, wallTime: String)

    /// Saves the recording of the seconds before a trip.
    func record(_ recording: TripRecording)
}
