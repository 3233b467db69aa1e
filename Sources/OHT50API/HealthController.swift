import Hummingbird
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Store

/// `/health` (the router serves `/health/` with it), `/health/detailed` and `/api/v1/system/status`. A tripped vehicle is healthy; a stalled safety
/// thread is not (503), which is what the health poller and systemd's watchdog care about.
struct HealthController: Sendable {
    let loop: SafetyLoop
    let info: DaemonInfo
    let journal: EventJournal?

    private var storage: HealthReport.Storage {
        guard let journal else { return .init(status: "unavailable", path: nil, lostEvents: 0, lastError: "the event store could not be opened") }
        let error = journal.lastError.withLock { $0 }
        return .init(
            status: error == nil ? "ok" : "degraded", path: journal.dataDir + "/" + EventStore.fileName,
            lostEvents: journal.lost.load(ordering: .relaxed), lastError: error)
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("/health") { _, _ in try self.health() }
        router.get("/health/detailed") { _, _ in try self.detailed() }
        router.get("/api/v1/system/status") { _, _ in
            try JSONResponse.make(SystemStatusReport(info: self.info, loop: self.loop, now: MonotonicClock.now()))
        }
    }

    /// The safety thread is stalled when its last cycle is older than `safety.max_stall_ms`.
    private func lastCycleAge(now: UInt64) -> UInt64 {
        let last = loop.statistics.lastCycleAt.load(ordering: .relaxed)
        let reference = last == 0 ? info.startedAt : last
        return now > reference ? now - reference : 0
    }

    /// Why the daemon is unhealthy, empty when it is not: a stalled safety loop, and a bus thread the
    /// safety loop has seen stop (its heartbeat still for a second).
    private func problems(now: UInt64) -> [String] {
        var problems: [String] = []
        if lastCycleAge(now: now) > loop.timings.maxStallNs { problems.append("safety_loop_stalled") }
        if loop.snapshot.read().machine.activeCauses.contains(.busThreadDead) { problems.append("bus_thread_dead") }
        return problems
    }

    private func health() throws -> Response {
        // Healthy stays exactly {"status":"ok"}, which pollers may compare as text.
        struct Body: Encodable {
            var status: String
            var problems: [String]?
        }
        let problems = problems(now: MonotonicClock.now())
        let healthy = problems.isEmpty
        return try JSONResponse.make(
            Body(status: healthy ? "ok" : "unhealthy", problems: healthy ? nil : problems), status: healthy ? .ok : .serviceUnavailable)
    }

    private func detailed() throws -> Response {
        let now = MonotonicClock.now()
        let stats = loop.statistics
        let counts = stats.latencyCounts
        let problems = problems(now: now)
        let healthy = problems.isEmpty
        let report = HealthReport(
            status: healthy ? "ok" : "unhealthy", problems: problems, version: FirmwareVersion.current,
            uptimeS: Double(now - info.startedAt) / 1e9, rt: info.scheduling.realtime,
            rtFallbackReason: info.scheduling.fallbackReason, memoryLocked: info.memoryLocked,
            cpuLatencyHeld: info.cpuLatencyHeld,
            state: loop.snapshot.read().machine.state.name,
            safetyLoop: .init(
                policy: info.scheduling.policy, priority: info.scheduling.priority,
                periodUs: loop.timings.cycleNs / 1_000, cycles: stats.cycles.load(ordering: .relaxed),
                overruns: stats.overruns.load(ordering: .relaxed), stalls: stats.stalls.load(ordering: .relaxed),
                wakeupLatencyUs: .init(
                    p50: LatencyBuckets.percentile(0.50, counts: counts),
                    p99: LatencyBuckets.percentile(0.99, counts: counts),
                    max: stats.maxLatencyNs.load(ordering: .relaxed) / 1_000,
                    histogram: counts.indices.filter { counts[$0] > 0 }.map { [LatencyBuckets.upperBoundMicroseconds($0), counts[$0]] }),
                lastCycleAgeMs: Double(lastCycleAge(now: now)) / 1e6,
                eventsDropped: loop.events.dropped, commandsDropped: loop.commands.dropped),
            storage: storage, cpuPlacement: info.placement?())
        return try JSONResponse.make(report, status: healthy ? .ok : .serviceUnavailable)
    }
}
