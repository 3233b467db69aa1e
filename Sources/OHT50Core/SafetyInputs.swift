/// Everything the state machine looks at in one cycle. Plain data: the safety thread fills it in place.
public struct SafetyInputs: Sendable, BitwiseCopyable {
    public var estop: EStopSample
    /// Causes the bus thread reports as active now (`comm_loss`, `module_alarm`, `bus_thread_dead`).
    public var busCauses: TripCauses
    /// Every required module answered its last poll and reports no alarm.
    public var requiredModulesHealthy: Bool
    /// The bus thread has completed its first pass over the modules (always true without modules).
    public var busReady: Bool
    /// Every drive has read back the last stop it was sent (always true without drives).
    public var drivesStopped: Bool
    /// The last write to an output line failed.
    public var outputFault: Bool
    /// This cycle began more than `safety.max_stall_ms` after the previous one.
    public var stalled: Bool
    public var shutdownRequested: Bool
    public var command: SafetyCommand?

    public init(
        estop: EStopSample, busCauses: TripCauses = [], requiredModulesHealthy: Bool = true,
        busReady: Bool = true, drivesStopped: Bool = true, outputFault: Bool = false, stalled: Bool = false,
        shutdownRequested: Bool = false, command: SafetyCommand? = nil
    ) {
        self.estop = estop
        self.busCauses = busCauses
        self.requiredModulesHealthy = requiredModulesHealthy
        self.busReady = busReady
        self.drivesStopped = drivesStopped
        self.outputFault = outputFault
        self.stalled = stalled
        self.shutdownRequested = shutdownRequested
        self.command = command
    }
}
