/// A saved trip recording as `/api/v1/trips` returns it; `samples` and `bus` only for one trip.
public struct StoredTrip: Sendable, Codable {
    public var id: Int64
    public var time: String
    public var monotonicNs: Int64
    public var causes: [String]
    public var from: String
    public var to: String
    public var sampleCount: Int64
    public var samples: TripRecordingJSON.Columns?
    public var bus: [String]?
}
