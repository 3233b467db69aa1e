import FoundationEssentials
import Logging
import OHT50API
import OHT50Core
import OHT50IO
import OHT50Runtime

#if canImport(Glibc)
import Glibc
#endif

/// What the daemon does for its RT threads as it starts them (DESIGN "Threads"): memory locked, CPU
/// idle states held off, the CPUs planned, both threads started at SCHED_FIFO, the async side confined
/// off their CPUs. A step the machine refuses is logged and reported (health, system status), never fatal.
final class RealtimeStart: Sendable {
    /// SCHED_FIFO priorities: the safety thread above the bus thread.
    static let safetyPriority: Int32 = 80
    static let busPriority: Int32 = 70

    let memoryLocked: Bool
    /// Held for the daemon's lifetime: /dev/cpu_dma_latency stays at 0 while it is open.
    let cpuLatency: CPULatencyRequest?
    let startedAt: UInt64
    let scheduling: SchedulingResult
    let busScheduling: SchedulingResult?
    /// Where the threads are now, for `/health/detailed` and the system status.
    let placementReport: @Sendable () -> CPUPlacementReport

    init(_ vehicle: VehicleWiring, cpu: CPUSettings, logger: Logger) throws {
        var locked = true
        do {
            try MemoryLock.lockAll()
            MemoryLock.populateFileMappings()
        } catch {
            locked = false
            logger.warning("memory is not locked, page faults may delay the safety loop: \(error)")
        }
        memoryLocked = locked
        do {
            cpuLatency = try CPULatencyRequest()
        } catch {
            cpuLatency = nil
            logger.warning("CPU idle states are not held off, wake-ups of the safety loop include their exit time: \(error)")
        }
        startedAt = MonotonicClock.now()
        let (online, isolated) = CPUAffinity.topology()
        let placement = CPUPlacement.plan(cpu, online: online, isolated: isolated)
        if !placement.missing.isEmpty {
            logger.warning(
                "cpu: CPUs \(CPUList.format(placement.missing)) are not online here and are left out (online: \(CPUList.format(online)))")
        }
        scheduling = try vehicle.loop.start(priority: Self.safetyPriority, cpus: placement.safety)
        if let reason = scheduling.fallbackReason {
            logger.warning("SCHED_FIFO refused, the safety loop runs SCHED_OTHER (health reports rt: false): \(reason)")
        }
        busScheduling = try vehicle.bus?.start(priority: Self.busPriority, cpus: placement.bus)
        let threads = [("safety", vehicle.loop.thread)] + (vehicle.bus.map { [("bus", $0.thread)] } ?? [])
        let asyncProblem = Self.confineAsyncSide(placement, threads: threads, logger: logger)
        let (safety, bus) = (vehicle.loop.thread, vehicle.bus?.thread)
        placementReport = {
            CPUPlacementReport(
                plan: placement, online: online, isolated: isolated, safety: safety.identity, bus: bus?.identity, asyncProblem: asyncProblem
            )
        }
    }

    /// What HTTP reports about the daemon's start.
    func daemonInfo(config: FirmwareConfig, simulate: Bool) -> DaemonInfo {
        DaemonInfo(
            startedAt: startedAt, scheduling: scheduling, busScheduling: busScheduling, memoryLocked: memoryLocked,
            cpuLatencyHeld: cpuLatency != nil, config: config, simulate: simulate, placement: placementReport)
    }

    /// Keeps HTTP, storage and metrics off the RT threads' CPUs (`cpu.async`): every thread of the
    /// process but the RT threads is confined now, and threads made later inherit it. Waits (1 s at most)
    /// for the RT threads to have placed themselves, so that neither is confined by mistake. Returns what
    /// did not hold, for the reports.
    private static func confineAsyncSide(_ placement: CPUPlacement, threads: [(String, CyclicThread)], logger: Logger) -> String? {
        for (name, thread) in threads {
            if let error = thread.identity?.placementError, error != 0 {
                logger.warning("cpu.\(name): the \(name) thread could not be placed: \(String(cString: strerror(error)))")
            }
        }
        guard let cpus = placement.async else { return nil }
        let identities = threads.compactMap(\.1.identity)
        guard identities.allSatisfy({ $0.waitUntilStarted(timeoutNs: 1_000_000_000) }) else {
            logger.warning("cpu.async: the RT threads did not start within 1 s; the async side is left unconfined")
            return "the RT threads did not start in time"
        }
        let refused = CPUAffinity.confineOthers(to: cpus, keep: Set(identities.map(\.tid)))
        guard refused.isEmpty else {
            logger.warning("cpu.async: threads \(refused.joined(separator: ", ")) could not be confined to CPUs \(CPUList.format(cpus))")
            return "refused by threads \(refused.joined(separator: ", "))"
        }
        let (safety, bus) = (placement.safety.map(CPUList.format) ?? "not pinned", placement.bus.map(CPUList.format) ?? "not pinned")
        logger.info("cpu placement (\(placement.basis)): safety thread \(safety), bus thread \(bus), async side \(CPUList.format(cpus))")
        return nil
    }
}
