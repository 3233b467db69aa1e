import OHT50Core
import OHT50Runtime

/// One module as `/api/v1/modules` and `/api/v1/telemetry/current` show it.
struct ModuleReport: Encodable, Sendable {
    struct Counters: Encodable, Sendable {
        var transactions: UInt64
        var timeouts: UInt64
        var crcErrors: UInt64
        var exceptions: UInt64
        var otherErrors: UInt64
        var consecutiveFailures: Int
    }

    struct Latency: Encodable, Sendable {
        var p50: Double?
        var p99: Double?
        var max: Double
    }

    struct Value: Encodable, Sendable {
        var value: Double
        var unit: String
        var raw: UInt16
    }

    var address: Int
    var type: String
    var required: Bool
    var pollMs: Int
    var online: Bool
    var healthy: Bool
    var alarm: String?
    var typeProblem: String?
    /// Drives only: a stop was sent and has not been read back yet.
    var stopUnconfirmed: Bool?
    /// Drives only: the actual speed did not reach 0 within `stop_within_ms` of the stop (`drive_not_stopped`).
    var standstillOverdue: Bool?
    /// Drives only: a channel commanded to move read an actual speed of 0 for longer than `stop_within_ms`
    /// (`drive_not_following`), until a move shows its speed again.
    var notFollowing: Bool?
    var ageMs: Double?
    var values: [String: Value]
    var identity: IdentityBlock?
    var counters: Counters?
    var latencyMs: Latency?

    /// - Parameter detailed: with identity, counters and latency (`/api/v1/modules`).
    init(_ module: BusModule, commLossAfter: Int, now: UInt64, detailed: Bool) {
        let reading = module.reading.read()
        let registers = reading.registers
        let failures = module.counters.consecutiveFailures.load(ordering: .relaxed)
        let problem = module.typeProblem.withLock { $0 }
        address = module.settings.address
        type = module.settings.type.rawValue
        required = module.settings.required
        pollMs = module.settings.pollMs
        online = module.isOnline(commLossAfter: commLossAfter)
        alarm = registers.isEmpty ? nil : module.map.alarm(in: registers)
        typeProblem = problem
        let stopPending = module.stopUnconfirmed.load(ordering: .relaxed)
        stopUnconfirmed = module.settings.type == .motor ? stopPending : nil
        standstillOverdue = module.settings.type == .motor ? module.standstillOverdue.load(ordering: .relaxed) : nil
        let lostSpeed = module.notFollowing.load(ordering: .relaxed)
        notFollowing = module.settings.type == .motor ? lostSpeed : nil
        healthy = online && failures == 0 && alarm == nil && problem == nil && !stopPending && !lostSpeed
        ageMs = reading.at == 0 ? nil : Double(now - min(now, reading.at)) / 1e6
        values = Dictionary(
            uniqueKeysWithValues: module.map.decode(registers).map { ($0.name, Value(value: $0.value, unit: $0.unit, raw: $0.raw)) })
        guard detailed else { return }
        identity = module.identity.withLock { $0 }
        let c = module.counters
        counters = Counters(
            transactions: c.transactions.load(ordering: .relaxed), timeouts: c.timeouts.load(ordering: .relaxed),
            crcErrors: c.crcErrors.load(ordering: .relaxed), exceptions: c.exceptions.load(ordering: .relaxed),
            otherErrors: c.otherErrors.load(ordering: .relaxed), consecutiveFailures: failures)
        let counts = c.latency.counts
        latencyMs = Latency(
            p50: LatencyBuckets.percentile(0.5, counts: counts).map { Double($0) / 1000 },
            p99: LatencyBuckets.percentile(0.99, counts: counts).map { Double($0) / 1000 },
            max: Double(c.latency.maxNanoseconds) / 1e6)
    }
}
