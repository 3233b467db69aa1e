import OHT50Core
import OHT50Runtime

/// `GET /health/detailed`: the RT threads' timing and counters, for the health poller and technicians.
struct HealthReport: Encodable, Sendable {
    struct Latency: Encodable, Sendable {
        var p50: UInt64?
        var p99: UInt64?
        var max: UInt64
        /// Every non-empty bucket since start as [upper edge µs, count]: two reads give any window's
        /// percentiles (tools/bench does that).
        var histogram: [[UInt64]]
    }

    struct Loop: Encodable, Sendable {
        var policy: String
        var priority: Int32
        var periodUs: UInt64
        var cycles: UInt64
        var overruns: UInt64
        var stalls: UInt64
        var wakeupLatencyUs: Latency
        var lastCycleAgeMs: Double
        var eventsDropped: UInt64
        var commandsDropped: UInt64
    }

    struct Storage: Encodable, Sendable {
        /// ok, degraded (writes failing; events are counted as lost), unavailable (no database).
        var status: String
        var path: String?
        var lostEvents: UInt64
        var lastError: String?
    }

    var status: String
    /// Why it is unhealthy: `safety_loop_stalled`, `bus_thread_dead`; empty when healthy.
    var problems: [String]
    var version: String
    var uptimeS: Double
    var rt: Bool
    var rtFallbackReason: String?
    var memoryLocked: Bool
    var cpuDmaLatencyHeld: Bool
    var state: String
    var safetyLoop: Loop
    var storage: Storage
    var cpuPlacement: CPUPlacementReport?
}
