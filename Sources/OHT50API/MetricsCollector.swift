import Metrics
import OHT50Core
import OHT50Runtime
import OHT50Store
import Prometheus
import Synchronization

/// Copies what the RT threads count (plain atomics) into swift-metrics when Prometheus scrapes, and
/// renders the text format: the registry's metrics plus the safety loop's wake-up latency histogram,
/// which comes from the loop's own fixed buckets.
final class MetricsCollector: Sendable {
    let registry: PrometheusCollectorRegistry
    private let loop: SafetyLoopView
    private let bus: BusLoopView?
    private let journal: EventJournal?
    /// Last copied totals, so counters grow by the difference.
    private let copied = Mutex<[String: UInt64]>([:])

    init(registry: PrometheusCollectorRegistry, loop: SafetyLoopView, bus: BusLoopView?, journal: EventJournal?) {
        self.registry = registry
        self.loop = loop
        self.bus = bus
        self.journal = journal
        // Every series an alert may use exists from the first scrape, at 0: rate() and increase() see a
        // first trip as an increase instead of a new series. Registered once; the event pump counts them.
        for (_, name) in TripCauses.named { _ = Metrics.Counter(label: "oht50_trips_total", dimensions: [("cause", name)]) }
        for outcome in ["accepted", "refused"] { _ = Metrics.Counter(label: "oht50_resets_total", dimensions: [("outcome", outcome)]) }
        for reason in RefusalText.allCodes { _ = Metrics.Counter(label: "oht50_reset_refusals_total", dimensions: [("reason", reason)]) }
        _ = Metrics.Counter(label: "oht50_motion_lease_expired_total")
        _ = Metrics.Counter(label: "oht50_commands_discarded_total")
        Metrics.Gauge(label: "oht50_build_info", dimensions: [("version", FirmwareVersion.current)]).record(1)
    }

    /// Histogram edges reported (seconds); the loop's 281 buckets are summed into them.
    static let latencyEdges: [Double] = [10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3]

    func scrape() -> String {
        collect()
        ProcessMetrics.collect()
        return MetricHelp.annotate(registry.emitToString()) + latencyHistogram()
    }

    /// A counter whose total is counted elsewhere: grows by what `total` grew since the last scrape.
    private func counter(_ label: String, _ dimensions: [(String, String)] = [], total: UInt64) {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let delta: UInt64 = copied.withLock { copied in
            let previous = copied[key] ?? 0
            copied[key] = total
            return total >= previous ? total - previous : 0
        }
        // Creating the counter registers the series, so a zero total is scraped as 0, not missing.
        let counter = Metrics.Counter(label: label, dimensions: dimensions)
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }

    private func collect() {
        let snapshot = loop.snapshot
        for state in SafetyState.allCases {
            Metrics.Gauge(label: "oht50_safety_state", dimensions: [("state", state.name)]).record(snapshot.machine.state == state ? 1 : 0)
        }
        for (cause, name) in TripCauses.named {
            Metrics.Gauge(label: "oht50_safety_cause_active", dimensions: [("cause", name)])
                .record(snapshot.machine.activeCauses.contains(cause) ? 1 : 0)
        }
        Metrics.Gauge(label: "oht50_storage_degraded").record(journal == nil || journal?.lastError.withLock({ $0 }) != nil ? 1 : 0)
        Metrics.Gauge(label: "oht50_estop_pressed").record(snapshot.estop.level == .pressed ? 1 : 0)
        Metrics.Gauge(label: "oht50_motion_enable").record(snapshot.outputs.motionEnable ? 1 : 0)
        let liveness = loop.liveness.judge()
        Metrics.Gauge(label: "oht50_rt_thread_alive", dimensions: [("thread", "safety")]).record(liveness.safetyLoopStalled ? 0 : 1)
        if bus != nil {
            Metrics.Gauge(label: "oht50_rt_thread_alive", dimensions: [("thread", "bus")]).record(liveness.busThreadDead ? 0 : 1)
        }
        Metrics.Gauge(label: "oht50_safety_loop_last_cycle_age_seconds").record(Double(liveness.lastCycleAgeNs) / 1e9)
        let stats = loop.statistics
        counter("oht50_safety_loop_cycles_total", total: stats.cycles.load(ordering: .relaxed))
        counter("oht50_safety_loop_overruns_total", total: stats.overruns.load(ordering: .relaxed))
        counter("oht50_safety_loop_stalls_total", total: stats.stalls.load(ordering: .relaxed))
        counter("oht50_safety_events_dropped_total", total: loop.droppedEvents)
        counter("oht50_storage_lost_events_total", total: journal?.lost.load(ordering: .relaxed) ?? 0)
        guard let bus else { return }
        counter("oht50_bus_late_bytes_total", total: bus.lateBytes)
        counter("oht50_bus_reconnects_total", total: bus.reconnects)
        for module in bus.modules {
            let labels = [("module", "\(module.settings.address)"), ("type", module.settings.type.rawValue)]
            let c = module.counters
            counter("oht50_bus_transactions_total", labels, total: c.transactions.load(ordering: .relaxed))
            let errors: [(String, UInt64)] = [
                ("timeout", c.timeouts.load(ordering: .relaxed)), ("crc", c.crcErrors.load(ordering: .relaxed)),
                ("exception", c.exceptions.load(ordering: .relaxed)), ("other", c.otherErrors.load(ordering: .relaxed)),
            ]
            for (kind, total) in errors {
                counter("oht50_bus_errors_total", labels + [("class", kind)], total: total)
            }
            Metrics.Gauge(label: "oht50_bus_module_online", dimensions: labels)
                .record(c.consecutiveFailures.load(ordering: .relaxed) < bus.settings.commLossAfter && module.reading.read().at != 0 ? 1 : 0)
        }
    }

    private func latencyHistogram() -> String {
        let counts = loop.statistics.wakeUpLatency.counts
        let name = "oht50_safety_wakeup_latency_seconds"
        var lines = ["# HELP \(name) Safety loop wake-up latency (time past the absolute deadline).", "# TYPE \(name) histogram"]
        var cumulative: UInt64 = 0
        var index = 0
        for edge in Self.latencyEdges {
            while index < counts.count && Double(LatencyBuckets.upperBoundMicroseconds(index)) * 1e-6 <= edge + 1e-12 {
                cumulative += counts[index]
                index += 1
            }
            lines.append("\(name)_bucket{le=\"\(edge)\"} \(cumulative)")
        }
        cumulative += counts[index...].reduce(0, +)
        let sum = Double(loop.statistics.wakeUpLatency.totalNanoseconds) / 1e9
        lines.append("\(name)_bucket{le=\"+Inf\"} \(cumulative)")
        lines.append("\(name)_sum \(sum)")
        lines.append("\(name)_count \(cumulative)")
        return lines.joined(separator: "\n") + "\n"
    }
}
