import Hummingbird
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Store

/// `/health` (the router serves `/health/` with it), `/health/detailed` and `/api/v1/system/status`. A
/// tripped vehicle is healthy; a stalled safety thread or a dead bus thread is not (503, `Liveness`).
struct HealthController: Sendable {
    let loop: SafetyLoopView
    let info: DaemonInfo
    let journal: EventJournal?

    private var storage: HealthReport.Storage {
        guard let journal else {
            return .init(status: "unavailable", path: nil, lostEvents: 0, lastError: "the event store could not be opened")
        }
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

    private func health() throws -> Response {
        // Healthy stays exactly {"status":"ok"}, which pollers may compare as text.
        struct Body: Encodable {
            var status: String
            var problems: [String]?
        }
        let problems = loop.liveness.judge().problems
        let healthy = problems.isEmpty
        return try JSONResponse.make(
            Body(status: healthy ? "ok" : "unhealthy", problems: healthy ? nil : problems), status: healthy ? .ok : .serviceUnavailable)
    }

    private func detailed() throws -> Response {
        let now = MonotonicClock.now()
        let stats = loop.statistics
        let counts = stats.wakeUpLatency.counts
        let liveness = loop.liveness.judge(now: now)
        let problems = liveness.problems
        let healthy = liveness.alive
        let report = HealthReport(
            status: healthy ? "ok" : "unhealthy", problems: problems, version: FirmwareVersion.current,
            uptimeS: Double(now - info.startedAt) / 1e9, rt: info.scheduling.realtime,
            rtFallbackReason: info.scheduling.fallbackReason, memoryLocked: info.memoryLocked,
            cpuDmaLatencyHeld: info.cpuLatencyHeld,
            state: loop.snapshot.machine.state.name,
            safetyLoop: .init(
                policy: info.scheduling.policy, priority: info.scheduling.priority,
                periodUs: loop.timings.cycleNs / 1_000, cycles: stats.cycles.load(ordering: .relaxed),
                overruns: stats.overruns.load(ordering: .relaxed), stalls: stats.stalls.load(ordering: .relaxed),
                wakeupLatencyUs: .init(
                    p50: LatencyBuckets.percentile(0.50, counts: counts),
                    p99: LatencyBuckets.percentile(0.99, counts: counts),
                    max: stats.wakeUpLatency.maxNanoseconds / 1_000,
                    histogram: counts.indices.filter { counts[$0] > 0 }.map { [LatencyBuckets.upperBoundMicroseconds($0), counts[$0]] }),
                lastCycleAgeMs: Double(liveness.lastCycleAgeNs) / 1e6,
                eventsDropped: loop.droppedEvents, commandsDropped: loop.droppedCommands),
            storage: storage, cpuPlacement: info.placement?())
        return try JSONResponse.make(report, status: healthy ? .ok : .serviceUnavailable)
    }
}
