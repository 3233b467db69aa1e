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

        enum CodingKeys: String, CodingKey {
            case policy, priority, cycles, overruns, stalls
            case periodUs = "period_us"
            case wakeupLatencyUs = "wakeup_latency_us"
            case lastCycleAgeMs = "last_cycle_age_ms"
            case eventsDropped = "events_dropped"
            case commandsDropped = "commands_dropped"
        }
    }

    struct Storage: Encodable, Sendable {
        /// ok, degraded (writes failing; events are counted as lost), unavailable (no database).
        var status: String
        var path: String?
        var lostEvents: UInt64
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case status, path
            case lostEvents = "lost_events"
            case lastError = "last_error"
        }
    }

    var status: String
    /// Why it is unhealthy: `safety_loop_stalled`, `bus_thread_dead`; empty when healthy.
    var problems: [String]
    var version: String
    var uptimeS: Double
    var rt: Bool
    var rtFallbackReason: String?
    var memoryLocked: Bool
    var cpuLatencyHeld: Bool
    var state: String
    var safetyLoop: Loop
    var storage: Storage
    var cpuPlacement: CPUPlacementReport?

    enum CodingKeys: String, CodingKey {
        case status, problems, version, rt, state, storage
        case cpuPlacement = "cpu_placement"
        case uptimeS = "uptime_s"
        case rtFallbackReason = "rt_fallback_reason"
        case memoryLocked = "memory_locked"
        case cpuLatencyHeld = "cpu_dma_latency_held"
        case safetyLoop = "safety_loop"
    }
}
