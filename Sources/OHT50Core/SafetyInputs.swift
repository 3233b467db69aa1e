/// Everything the state machine looks at in one cycle. Plain data: the safety thread fills it in place.
public struct SafetyInputs: Sendable, BitwiseCopyable {
    public var estop: EStopSample
    /// The second channel of a two-channel E-stop; `nil` for one channel.
    public var estopSecond: EStopSample?
    /// The motion-enable relay's feedback contact; `nil` when none is configured.
    public var feedback: EStopSample?
    /// Causes the bus thread reports as active now (`comm_loss`, `module_alarm`, `bus_thread_dead`).
    public var busCauses: TripCauses
    /// Every required module answered its last poll and reports no alarm.
    public var requiredModulesHealthy: Bool
    /// The bus thread has completed its first pass over the modules (always true without modules).
    public var busReady: Bool
    /// Every drive has read back the stop it was sent for trip generation `drivesStoppedGeneration`
    /// (always true without drives). A confirmation for an older generation confirms nothing.
    public var drivesStopped: Bool
    public var drivesStoppedGeneration: UInt16
    /// The last write to an output line failed.
    public var outputFault: Bool
    /// This cycle began more than `safety.max_stall_ms` after the previous one.
    public var stalled: Bool
    public var shutdownRequested: Bool
    /// Stop requests so far (`MotionStopSignal`): a change since the last cycle stops motion.
    public var stopRequests: UInt32
    public var command: SafetyCommand?
    /// The sender of `command` gave up waiting (and answered 503) before the safety thread took it.
    public var commandWithdrawn: Bool

    public init(
        estop: EStopSample, busCauses: TripCauses = [], requiredModulesHealthy: Bool = true,
        busReady: Bool = true, drivesStopped: Bool = true, drivesStoppedGeneration: UInt16 = 0, outputFault: Bool = false,
        stalled: Bool = false, shutdownRequested: Bool = false, stopRequests: UInt32 = 0, command: SafetyCommand? = nil,
        commandWithdrawn: Bool = false, estopSecond: EStopSample? = nil, feedback: EStopSample? = nil
    ) {
        self.estop = estop
        self.estopSecond = estopSecond
        self.feedback = feedback
        self.busCauses = busCauses
        self.requiredModulesHealthy = requiredModulesHealthy
        self.busReady = busReady
        self.drivesStopped = drivesStopped
        self.drivesStoppedGeneration = drivesStoppedGeneration
        self.outputFault = outputFault
        self.stalled = stalled
        self.shutdownRequested = shutdownRequested
        self.stopRequests = stopRequests
        self.command = command
        self.commandWithdrawn = commandWithdrawn
    }
}
