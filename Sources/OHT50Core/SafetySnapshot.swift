/// What the safety thread publishes after each cycle for non-RT readers (HTTP, health, metrics).
public struct SafetySnapshot: Sendable, BitwiseCopyable {
    public var machine: SafetyMachine
    public var estop: EStopSample
    /// The outputs as last written.
    public var outputs: SafetyOutputs
    /// Monotonic nanoseconds of the cycle that published it.
    public var at: UInt64
    public var cycle: UInt64
    /// The second E-stop channel, when there are two.
    public var estopSecond: EStopSample?
    /// The contactor's feedback contact, when one is configured.
    public var feedback: EStopSample?

    /// The E-stop as the machine judges it: both channels as one.
    public var estopBoth: EStopSample { estop.combined(with: estopSecond) }

    public init(
        machine: SafetyMachine, estop: EStopSample, outputs: SafetyOutputs, at: UInt64, cycle: UInt64, estopSecond: EStopSample? = nil,
        feedback: EStopSample? = nil
    ) {
        self.machine = machine
        self.estop = estop
        self.estopSecond = estopSecond
        self.feedback = feedback
        self.outputs = outputs
        self.at = at
        self.cycle = cycle
    }
}
