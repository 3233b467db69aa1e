/// The causes that trip the vehicle, as a bit set so the safety thread handles them without allocating.
public struct TripCauses: OptionSet, Sendable, Hashable, BitwiseCopyable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The E-stop line reads pressed, or a press edge was seen since the last cycle.
    public static let estop = TripCauses(rawValue: 1 << 0)
    /// The E-stop input could not be read: never taken as "released".
    public static let inputFault = TripCauses(rawValue: 1 << 1)
    /// An output line (motion-enable, heartbeat) could not be written.
    public static let outputFault = TripCauses(rawValue: 1 << 2)
    public static let commLoss = TripCauses(rawValue: 1 << 3)
    public static let moduleAlarm = TripCauses(rawValue: 1 << 4)
    /// The safety thread missed more than `safety.max_stall_ms`.
    public static let stall = TripCauses(rawValue: 1 << 5)
    public static let busThreadDead = TripCauses(rawValue: 1 << 6)
    public static let shutdown = TripCauses(rawValue: 1 << 7)
    /// The two channels of a two-channel E-stop disagreed for longer than `estop.discrepancy_ms`:
    /// latched until both were seen open and then closed together.
    public static let estopDiscrepancy = TripCauses(rawValue: 1 << 8)
    /// A drive reports that its own host watchdog stopped it (motor status 0x0B bit 15): it heard no
    /// control write for `host_watchdog_ms`. Active until 0x0D is written again and the bit reads clear.
    public static let driveWatchdog = TripCauses(rawValue: 1 << 9)
    /// A drive whose stop read back (enable 0, speed 0) still reports an actual speed (0x06/0x16) other
    /// than 0 after `modules[].stop_within_ms`: coasting, a failed brake, a drive that ignores its commands.
    public static let driveNotStopped = TripCauses(rawValue: 1 << 10)
    /// A drive commanded to move whose actual speed (0x06/0x16) on a channel read 0 for longer than
    /// `modules[].stop_within_ms`: a dead speed sensor (which would also confirm every stop at once), a
    /// stalled or unpowered motor.
    public static let driveNotFollowing = TripCauses(rawValue: 1 << 11)

    /// Causes that hold the line itself: the state is `estop` while one is active.
    public static let estopLine = TripCauses(rawValue: estop.rawValue | inputFault.rawValue)
    /// Causes the bus thread reports (`stall` when it stopped the drives because the safety thread had not
    /// cycled). (Written without an array literal: in debug builds a literal allocates, and the safety
    /// thread must not.)
    public static let busReported = TripCauses(
        rawValue: commLoss.rawValue | moduleAlarm.rawValue | busThreadDead.rawValue | driveWatchdog.rawValue | driveNotStopped.rawValue
            | driveNotFollowing.rawValue | stall.rawValue)
    /// Bus causes the comm LED shows.
    public static let busFaults = TripCauses(
        rawValue: commLoss.rawValue | moduleAlarm.rawValue | driveWatchdog.rawValue | driveNotStopped.rawValue
            | driveNotFollowing.rawValue)

    public static let named: [(cause: TripCauses, name: String)] = [
        (.estop, "estop"), (.inputFault, "input_fault"), (.outputFault, "output_fault"),
        (.commLoss, "comm_loss"), (.moduleAlarm, "module_alarm"), (.stall, "stall"),
        (.busThreadDead, "bus_thread_dead"), (.shutdown, "shutdown"), (.estopDiscrepancy, "estop_discrepancy"),
        (.driveWatchdog, "drive_watchdog"), (.driveNotStopped, "drive_not_stopped"), (.driveNotFollowing, "drive_not_following"),
    ]

    /// Each cause's wire name, in a fixed order.
    public var names: [String] {
        Self.named.filter { contains($0.cause) }.map(\.name)
    }
}
