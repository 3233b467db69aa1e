/// The state machine's time constants in monotonic nanoseconds, taken from `safety.*` config.
public struct SafetyTimings: Sendable, BitwiseCopyable, Equatable {
    public var cycleNs: UInt64
    public var resetReleaseNs: UInt64
    public var maxStallNs: UInt64
    public var motionLeaseNs: UInt64
    /// Healthy cycles (input readable, bus ready) before `init` may be left.
    public var bootCycles: UInt32
    /// How long a sender waits for the reply to a command (DESIGN: HTTP waits 100 ms); a command that
    /// waited longer in the ring is discarded, because its sender has already been told it failed.
    public var commandWaitNs: UInt64
    /// `estop.discrepancy_ms`: how long two E-stop channels may disagree.
    public var discrepancyNs: UInt64 = 100_000_000
    /// `outputs.motion_enable.feedback.pull_in_ms` / `drop_out_ms`.
    public var pullInNs: UInt64 = 100_000_000
    public var dropOutNs: UInt64 = 100_000_000
    /// A bus thread whose heartbeat has not moved for this long is `bus_thread_dead`. 1 s unless taken from
    /// a configuration (`busDeadNs(_:)`).
    public var busDeadNs: UInt64 = 1_000_000_000

    public static let defaultCommandWaitNs: UInt64 = 100_000_000

    public init(
        cycleNs: UInt64, resetReleaseNs: UInt64, maxStallNs: UInt64, motionLeaseNs: UInt64, bootCycles: UInt32 = 10,
        commandWaitNs: UInt64 = defaultCommandWaitNs
    ) {
        self.cycleNs = cycleNs
        self.resetReleaseNs = resetReleaseNs
        self.maxStallNs = maxStallNs
        self.motionLeaseNs = motionLeaseNs
        self.bootCycles = bootCycles
        self.commandWaitNs = commandWaitNs
    }

    public init(_ settings: SafetySettings) {
        self.init(
            cycleNs: UInt64(settings.cycleMs) * 1_000_000,
            resetReleaseNs: UInt64(settings.resetReleaseMs) * 1_000_000,
            maxStallNs: UInt64(settings.maxStallMs) * 1_000_000,
            motionLeaseNs: UInt64(settings.motionLeaseMs) * 1_000_000)
    }

    /// The safety section's times with the E-stop's discrepancy time and the contactor's feedback times.
    public init(_ config: FirmwareConfig) {
        self.init(config.safety)
        discrepancyNs = UInt64(config.estop.discrepancyMs) * 1_000_000
        if let feedback = config.outputs.motionEnableFeedback {
            pullInNs = UInt64(feedback.pullInMs) * 1_000_000
            dropOutNs = UInt64(feedback.dropOutMs) * 1_000_000
        }
        busDeadNs = Self.busDeadNs(config)
    }

    /// The bus thread's heartbeat moves at every pass of its loop (it naps at most
    /// `BusSettings.longestNapMs` between them) and after every transaction (at most one silent one:
    /// `ModuleSettings.silentTransactionMs`). Three of the longer of the two, and never less than
    /// `safety.max_stall_ms`: a thread that pauses that long is not paused, it is dead. 300 ms at the
    /// shipped settings, below the unit's `WatchdogSec=600ms` (`ServiceWatchdog` refuses otherwise).
    public static func busDeadNs(_ config: FirmwareConfig) -> UInt64 {
        let pauseMs = max(BusSettings.longestNapMs, ModuleSettings.silentTransactionMs(on: config.bus))
        return max(UInt64(config.safety.maxStallMs), 3 * UInt64(pauseMs)) * 1_000_000
    }
}
