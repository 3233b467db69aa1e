/// The one way a drive channel is stopped, used by the bus thread (every trip, stop and lease expiry)
/// and by `oht50d safe-off`: enable 0 and speed 0 written together, direction idle, then enable and
/// speed read back. The read-back decides: a channel is stopped when it reads enable 0 and speed 0,
/// whatever the writes answered (a lost reply to an applied write still stops it), and it is not
/// stopped while it reads anything else (a drive that answers but does not apply).
///
/// Every step runs even when an earlier one failed, so one refused register never leaves another
/// unwritten. The caller supplies the transport; the recipe itself neither allocates nor blocks.
public enum DriveStopRecipe {
    public enum Step: UInt8, Sendable, BitwiseCopyable {
        case enableAndSpeedZero
        case directionIdle
        case readBack

        public var description: String {
            switch self {
            case .enableAndSpeedZero: "writing enable 0 and speed 0"
            case .directionIdle: "writing direction idle"
            case .readBack: "reading enable and speed back"
            }
        }
    }

    public enum ChannelOutcome: Sendable, BitwiseCopyable, Equatable {
        /// Read back enable 0 and speed 0.
        case stopped
        /// The read-back failed; `firstFailed` is the first step that failed.
        case unconfirmed(firstFailed: Step)
        /// Read back, but still enabled or commanded to turn.
        case stillRunning(enable: UInt16, speed: UInt16)
    }

    /// Stops the channel at `base`. `writeZeros(start, count)` writes `count` zeros from `start` and says
    /// whether the drive acknowledged; `readEnableAndSpeed(start)` reads the two registers from `start`.
    @inline(__always)
    public static func stop(
        channel base: UInt16, writeZeros: (UInt16, Int) -> Bool, readEnableAndSpeed: (UInt16) -> (UInt16, UInt16)?
    ) -> ChannelOutcome {
        var firstFailed: Step?
        if !writeZeros(base + RegisterMap.motorEnableOffset, 2) { firstFailed = .enableAndSpeedZero }
        if !writeZeros(base + RegisterMap.motorDirectionOffset, 1), firstFailed == nil { firstFailed = .directionIdle }
        guard let (enable, speed) = readEnableAndSpeed(base + RegisterMap.motorEnableOffset) else {
            return .unconfirmed(firstFailed: firstFailed ?? .readBack)
        }
        return enable == 0 && speed == 0 ? .stopped : .stillRunning(enable: enable, speed: speed)
    }
}
