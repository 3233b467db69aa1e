import OHT50Core
import OHT50Runtime

/// `GET /api/v1/system/status`: what is running, since when, how it is scheduled, and the settings that
/// matter when something is wrong.
struct SystemStatusReport: Encodable, Sendable {
    struct Thread: Encodable, Sendable {
        var policy: String
        var priority: Int32
        var realtime: Bool
    }

    struct Config: Encodable, Sendable {
        var cycleMs: Int
        var resetReleaseMs: Int
        var maxStallMs: Int
        var motionLeaseMs: Int
        var estop: String
        var motionEnable: String
        var busPort: String?
        var baud: Int?
        var responseTimeoutMs: Int?
        var commLossAfter: Int?
        var modules: [String]
        var http: String
        var dataDir: String
        var logLevel: String
    }

    var version: String
    var uptimeS: Double
    var startedAt: String
    var state: String
    var simulate: Bool
    var rt: Bool
    var memoryLocked: Bool
    var threads: [String: Thread]
    var cpuPlacement: CPUPlacementReport?
    var config: Config

    init(info: DaemonInfo, loop: SafetyLoopView, now: UInt64) {
        let c = info.config
        let bus = c.modules.isEmpty ? nil : c.bus
        version = FirmwareVersion.current
        uptimeS = Double(now - info.startedAt) / 1e9
        startedAt = WallTime.iso8601(monotonic: info.startedAt)
        state = loop.snapshot.machine.state.name
        simulate = info.simulate
        rt = info.scheduling.realtime && (info.busScheduling?.realtime ?? true)
        memoryLocked = info.memoryLocked
        threads = ["safety": Thread(policy: info.scheduling.policy, priority: info.scheduling.priority, realtime: info.scheduling.realtime)]
        if let b = info.busScheduling { threads["bus"] = Thread(policy: b.policy, priority: b.priority, realtime: b.realtime) }
        cpuPlacement = info.placement?()
        let motion = c.outputs.motionEnable
        config = Config(
            cycleMs: c.safety.cycleMs, resetReleaseMs: c.safety.resetReleaseMs, maxStallMs: c.safety.maxStallMs,
            motionLeaseMs: c.safety.motionLeaseMs, estop: loop.inputDescription,
            motionEnable: motion.backend == .gpiod
                ? "gpiod \(motion.chip ?? "?") line \(motion.line ?? -1)" : "\(motion.backend.rawValue) \(motion.sysfsPath ?? "")",
            busPort: bus?.port, baud: bus?.baud, responseTimeoutMs: bus?.responseTimeoutMs, commLossAfter: bus?.commLossAfter,
            modules: c.modules.map { "\($0.type.rawValue)@\($0.address)\($0.required ? "" : " (optional)")" },
            http: "\(c.http.bind):\(c.http.port)", dataDir: c.storage.dataDir, logLevel: c.logLevel.rawValue)
    }
}
