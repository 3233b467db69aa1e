/// One safety-loop cycle as a trip recording keeps it. Plain data: the safety thread pushes one per cycle.
public struct LoopSample: Sendable, BitwiseCopyable, Equatable {
    /// Monotonic nanoseconds of the cycle.
    public var at: UInt64
    public var state: SafetyState
    public var estopRaw: Int8
    public var motionEnable: Bool
    /// The drive setpoint: 0–100 %, 0 when stopped.
    public var driveSpeedPercent: UInt8
    /// How late the cycle woke, microseconds (saturated).
    public var wakeupLatencyUs: UInt32
    public var causes: TripCauses
    /// The second E-stop channel's raw value, with two channels (-1 unreadable).
    public var estopSecondRaw: Int8?
    /// The contactor feedback's raw value, when one is configured (-1 unreadable).
    public var feedbackRaw: Int8?

    public init(
        at: UInt64, state: SafetyState, estopRaw: Int8, motionEnable: Bool, driveSpeedPercent: UInt8, wakeupLatencyUs: UInt32,
        causes: TripCauses, estopSecondRaw: Int8? = nil, feedbackRaw: Int8? = nil
    ) {
        self.estopSecondRaw = estopSecondRaw
        self.feedbackRaw = feedbackRaw
        self.at = at
        self.state = state
        self.estopRaw = estopRaw
        self.motionEnable = motionEnable
        self.driveSpeedPercent = driveSpeedPercent
        self.wakeupLatencyUs = wakeupLatencyUs
        self.causes = causes
    }
}
