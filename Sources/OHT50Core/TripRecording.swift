/// The seconds before a trip: every safety-loop sample and the last bus readings, saved with the trip.
public struct TripRecording: Sendable {
    public var trip: SafetyEvent
    public var wallTime: String
    public var samples: [LoopSample]
    /// One line per module: "power@2 age_ms=12 voltage=24.1V …".
    public var bus: [String]

    public init(trip: SafetyEvent, wallTime: String, samples: [LoopSample], bus: [String]) {
        self.trip = trip
        self.wallTime = wallTime
        self.samples = samples
        self.bus = bus
    }

    /// The window kept before each trip.
    public static let windowNs: UInt64 = 2_000_000_000
}
