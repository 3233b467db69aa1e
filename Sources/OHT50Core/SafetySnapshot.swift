/// What the safety thread publishes after each cycle for non-RT readers (HTTP, health, metrics).
public struct SafetySnapshot: Sendable, BitwiseCopyable {
    public var machine: SafetyMachine
    public var estop: EStopSample
    /// The outputs as last written.
    public var outputs: SafetyOutputs
    /// Monotonic nanoseconds of the cycle that published it.
    public var at: UInt64
    public var cycle: UInt64

    public init(machine: SafetyMachine, estop: EStopSample, outputs: SafetyOutputs, at: UInt64, cycle: UInt64) {
        self.machine = machine
        self.estop = estop
        self.outputs = outputs
        self.at = at
        self.cycle = cycle
    }
}
