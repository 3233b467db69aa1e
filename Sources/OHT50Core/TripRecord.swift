/// The most recent trip, kept in the machine for status reports.
public struct TripRecord: Sendable, BitwiseCopyable, Equatable {
    public var causes: TripCauses
    /// Monotonic nanoseconds.
    public var at: UInt64
    /// The state the trip interrupted.
    public var from: SafetyState

    public init(causes: TripCauses, at: UInt64, from: SafetyState) {
        self.causes = causes
        self.at = at
        self.from = from
    }
}
