import OHT50Core
import OHT50Runtime

/// Facts about this run of the daemon that reports include.
public struct DaemonInfo: Sendable {
    public var startedAt: UInt64
    public var scheduling: SchedulingResult
    public var busScheduling: SchedulingResult?
    public var memoryLocked: Bool
    /// `/dev/cpu_dma_latency` is held at 0 µs (CPUs kept out of deep idle states).
    public var cpuLatencyHeld: Bool
    public var config: FirmwareConfig
    public var simulate: Bool
    /// Where the safety thread, the bus thread and the async side run now (`cpu.*`), read on request.
    public var placement: (@Sendable () -> CPUPlacementReport)?

    public init(
        startedAt: UInt64, scheduling: SchedulingResult, busScheduling: SchedulingResult? = nil, memoryLocked: Bool,
        cpuLatencyHeld: Bool = false, config: FirmwareConfig = FirmwareConfig(), simulate: Bool = false,
        placement: (@Sendable () -> CPUPlacementReport)? = nil
    ) {
        self.placement = placement
        self.cpuLatencyHeld = cpuLatencyHeld
        self.startedAt = startedAt
        self.scheduling = scheduling
        self.busScheduling = busScheduling
        self.memoryLocked = memoryLocked
        self.config = config
        self.simulate = simulate
    }
}
