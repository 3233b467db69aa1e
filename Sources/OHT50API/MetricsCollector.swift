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
        for (_, name) in TripCauses.named { _ = MetricFamily.tripsTotal.counter([("cause", name)]) }
        for outcome in ["accepted", "refused"] { _ = MetricFamily.resetsTotal.counter([("outcome", outcome)]) }
        for reason in RefusalText.allCodes { _ = MetricFamily.resetRefusalsTotal.counter([("reason", reason)]) }
        _ = MetricFamily.motionLeaseExpiredTotal.counter()
        _ = MetricFamily.commandsDiscardedTotal.counter()
        MetricFamily.buildInfo.gauge([("version", FirmwareVersion.current)]).record(1)
    }

    /// Histogram edges reported (seconds); the loop's 281 buckets are summed into them.
    static let latencyEdges: [Double] = [10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3]

    func scrape() -> String {
        collect()
        ProcessMetrics.collect()
        return MetricHelp.annotate(registry.emitToString()) + latencyHistogram()
    }

    /// A counter whose total is counted elsewhere: grows by what `total` grew since the last scrape.
    private func counter(_ family: MetricFamily, _ dimensions: [(String, String)] = [], total: UInt64) {
        let key = family.rawValue + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let delta: UInt64 = copied.withLock { copied in
            let previous = copied[key] ?? 0
            copied[key] = total
            return total >= previous ? total - previous : 0
        }
        // Creating the counter registers the series, so a zero total is scraped as 0, not missing.
        let counter = family.counter(dimensions)
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }

    private func collect() {
        let snapshot = loop.snapshot
        for state in SafetyState.allCases {
            MetricFamily.safetyState.gauge([("state", state.name)]).record(snapshot.machine.state == state ? 1 : 0)
        }
        for (cause, name) in TripCauses.named {
            MetricFamily.safetyCauseActive.gauge([("cause", name)])
                .record(snapshot.machine.activeCauses.contains(cause) ? 1 : 0)
        }
        MetricFamily.storageDegraded.gauge().record(journal == nil || journal?.lastError.withLock({ $0 }) != nil ? 1 : 0)
        MetricFamily.estopPressed.gauge().record(snapshot.estopBoth.level == .pressed ? 1 : 0)
        if let second = snapshot.estopSecond {
            for (channel, sample) in [("1", snapshot.estop), ("2", second)] {
                MetricFamily.estopChannelPressed.gauge([("channel", channel)]).record(sample.level == .pressed ? 1 : 0)
            }
        }
        if let feedback = snapshot.feedback {
            let reading = ContactorMonitor.Reading(feedback)
            MetricFamily.contactorPulledIn.gauge().record(reading == .unreadable ? -1 : reading == .pulledIn ? 1 : 0)
        }
        MetricFamily.motionEnable.gauge().record(snapshot.outputs.motionEnable ? 1 : 0)
        let liveness = loop.liveness.judge()
        MetricFamily.rtThreadAlive.gauge([("thread", "safety")]).record(liveness.safetyLoopStalled ? 0 : 1)
        if bus != nil {
            MetricFamily.rtThreadAlive.gauge([("thread", "bus")]).record(liveness.busThreadDead ? 0 : 1)
        }
        MetricFamily.safetyLoopLastCycleAgeSeconds.gauge().record(Double(liveness.lastCycleAgeNs) / 1e9)
        let stats = loop.statistics
        counter(.safetyLoopCyclesTotal, total: stats.cycles.load(ordering: .relaxed))
        counter(.safetyLoopOverrunsTotal, total: stats.overruns.load(ordering: .relaxed))
        counter(.safetyLoopStallsTotal, total: stats.stalls.load(ordering: .relaxed))
        counter(.safetyEventsDroppedTotal, total: loop.droppedEvents)
        counter(.storageLostEventsTotal, total: journal?.lost.load(ordering: .relaxed) ?? 0)
        guard let bus else { return }
        counter(.busLateBytesTotal, total: bus.lateBytes)
        counter(.busReconnectsTotal, total: bus.reconnects)
        for module in bus.modules {
            let labels = [("module", "\(module.settings.address)"), ("type", module.settings.type.rawValue)]
            let c = module.counters
            counter(.busTransactionsTotal, labels, total: c.transactions.load(ordering: .relaxed))
            let errors: [(String, UInt64)] = [
                ("timeout", c.timeouts.load(ordering: .relaxed)), ("crc", c.crcErrors.load(ordering: .relaxed)),
                ("exception", c.exceptions.load(ordering: .relaxed)), ("other", c.otherErrors.load(ordering: .relaxed)),
            ]
            for (kind, total) in errors {
                counter(.busErrorsTotal, labels + [("class", kind)], total: total)
            }
            MetricFamily.busModuleOnline.gauge(labels).record(module.isOnline(commLossAfter: bus.settings.commLossAfter) ? 1 : 0)
            if module.settings.type == .motor {
                counter(.busDriveWatchdogExpiriesTotal, labels, total: module.watchdogExpiries.load(ordering: .relaxed))
            }
        }
    }

    private func latencyHistogram() -> String {
        let counts = loop.statistics.wakeUpLatency.counts
        let family = MetricFamily.safetyWakeupLatencySeconds
        let name = family.rawValue
        var lines = ["# HELP \(name) \(family.help)", "# TYPE \(name) histogram"]
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
