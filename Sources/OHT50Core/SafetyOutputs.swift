/// What the safety thread drives after a step.
public struct SafetyOutputs: Sendable, BitwiseCopyable, Equatable {
    /// The motion-enable relay: closed only in `ready` and `moving`.
    public var motionEnable: Bool
    /// The drive command: `nil` is stop (enable 0, speed 0).
    public var drive: MotionRequest?

    public init(motionEnable: Bool, drive: MotionRequest?) {
        self.motionEnable = motionEnable
        self.drive = drive
    }

    public static let off = SafetyOutputs(motionEnable: false, drive: nil)
}
