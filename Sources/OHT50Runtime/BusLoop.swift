import OHT50Core
import OHT50IO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The bus thread of DESIGN "Threads": the only user of the libmodbus context. It polls every module on
/// its schedule (drives first when several are due), writes the drive setpoint it gets from the safety
/// thread, and on a trip or a stop request writes stop to every drive channel before polling again. It
/// reports comm loss, alarms and health to the safety thread through `BusLink`.
///
/// The poll schedule holds whatever writes do: a drive write that fails is retried at that drive's own
/// poll slots, beside its poll, never instead of other modules' polls (a power alarm must be seen while
/// a drive refuses writes).
///
/// A stop counts only once it is read back (`DriveStopRecipe`). Until then the drive gets the stop again
/// at each of its polls instead of the poll, it is not healthy, and the safety thread refuses reset and
/// move (`drive_stop_unconfirmed`); a drive that has not confirmed its stop after `bus.comm_loss_after`
/// attempts is `comm_loss`. Every drive is stopped this way at start too.
public final class BusLoop: @unchecked Sendable {
    public let settings: BusSettings
    public let modules: [BusModule]
    public let link: BusLink
    private let open: @Sendable () throws(BusOpenError) -> ModbusMaster
    private var master: ModbusMaster?
    /// Start, stop, identity and the simulated stall (SIGUSR2).
    public let thread = CyclicThread(name: "oht50-bus")
    /// The longest the thread sleeps between passes when no poll is due: its heartbeat must move well
    /// within `SafetyTimings.busDeadNs` (three of these at least) before the safety thread calls it dead.
    static let longestNapNs = UInt64(BusSettings.longestNapMs) * 1_000_000
    private var seenTripGeneration: UInt16 = 0
    /// `DriveOrder.motionEnds` as last acted on.
    private var seenMotionEnds: UInt16 = 0
    /// The safety thread has not cycled within `safety.max_stall_ms`: no running setpoint is applied and no
    /// drive's host watchdog is refreshed, so a drive stops by itself if even the stop does not reach it.
    private var safetyStale = true
    /// The drives were stopped because the safety thread went stale while they ran: no setpoint is applied
    /// again before the next trip generation.
    private var stoppedForStaleSafety = false
    /// The low 16 bits of the stop requests this thread has acted on.
    private var seenStopRequests: UInt16 = 0
    /// The setpoint the drives were last told (a drive whose write failed still has it pending).
    private var commandedSetpoint = DriveSetpoint.stop
    /// The order word `commandedSetpoint` was taken from, and the stop requests seen then: a running setpoint
    /// is written only while both still stand (`orderStands`).
    private var commandedOrder: UInt64 = 0
    /// Two registers written from here, so that no write allocates an array on this thread.
    private let writeValues = UnsafeMutablePointer<UInt16>.allocate(capacity: 2)
    /// Zeros for the stop recipe's writes.
    private let zeros = UnsafeMutablePointer<UInt16>.allocate(capacity: 2)
    private var reopenBackoffNs: UInt64 = 100_000_000
    private var reopenAt: UInt64 = 0
    /// Times the port was lost and reopened, for reports.
    public let reconnects = Atomic<UInt64>(0)
    /// Bytes that arrived when no transaction was waiting for them, discarded before a request: replies
    /// later than the response timeout (or after a pause of this thread), or line noise.
    public let lateBytes = Atomic<UInt64>(0)
    public let lastOpenError = Mutex<String?>(nil)

    /// - Parameter open: opens the port; called again after the port is lost.
    public init(
        settings: BusSettings, modules: [ModuleSettings], link: BusLink, master: ModbusMaster,
        open: @escaping @Sendable () throws(BusOpenError) -> ModbusMaster
    ) {
        self.settings = settings
        // Drives first: when several modules are due, the drive is polled before the others.
        self.modules = modules.sorted { ($0.type == .motor ? 0 : 1) < ($1.type == .motor ? 0 : 1) }.map(BusModule.init)
        self.link = link
        self.master = master
        self.open = open
        writeValues.initialize(repeating: 0, count: 2)
        zeros.initialize(repeating: 0, count: 2)
    }

    deinit {
        writeValues.deallocate()
        zeros.deallocate()
    }

    public func start(priority: Int32, cpus: [Int]? = nil) throws(SystemCallError) -> SchedulingResult {
        try thread.start(priority: priority, cpus: cpus) { [self] in run() }
    }

    /// Ends the thread, then stops every drive: each gets up to `bus.comm_loss_after` attempts to
    /// confirm its stop.
    public func stop() {
        thread.requestStop()
        link.stopSignal.busWakeup.raise()
        thread.stop()
        guard let master else { return }
        requestStop()
        for _ in 0..<max(1, settings.commLossAfter) where !allDrivesStopped {
            for module in modules where module.stopPending { attemptStop(module, master) }
        }
        publishHealth()
    }

    public var isConnected: Bool { portConnected.load(ordering: .acquiring) }
    private let portConnected = Atomic<Bool>(true)

    private func run() {
        while !thread.stopRequested {
            thread.serveStall()
            link.heartbeat.wrappingAdd(1, ordering: .relaxed)
            guard let master else {
                reopen()
                continue
            }
            // The safety thread's liveness first, then its order: a fresh time comes with an order at least
            // as new as the cycle that stored it.
            let aliveAt = link.safetyAliveAt.load(ordering: .acquiring)
            let order = DriveOrder(raw: link.order.load(ordering: .acquiring))
            safetyStale = aliveAt == 0 || MonotonicClock.now() &- aliveAt > link.safetyStaleNs.load(ordering: .relaxed)
            if order.tripGeneration != seenTripGeneration {
                seenTripGeneration = order.tripGeneration
                stoppedForStaleSafety = false
                stopNow(master)
                continue
            }
            if safetyStale && commandedSetpoint.running && !stoppedForStaleSafety {
                // The drives stop here and stay stopped until the safety thread has tripped (a new generation):
                // a safety thread that comes back must not find its old move applied again. `stall` tells it why.
                stoppedForStaleSafety = true
                link.heldCauses.bitwiseOr(TripCauses.stall.rawValue, ordering: .releasing)
            }
            if order.motionEnds != seenMotionEnds {
                seenMotionEnds = order.motionEnds
                stopNow(master)
                continue
            }
            // Read after the order: a stop the safety thread had seen when it ordered is seen here too.
            let stopRequests = UInt16(truncatingIfNeeded: link.stopSignal.requests)
            if stopRequests != seenStopRequests {
                seenStopRequests = stopRequests
                stopNow(master)
                continue
            }
            // A running setpoint decided before the latest stop this thread acted on is not applied, nor one
            // from a safety thread that has not cycled within `safety.max_stall_ms`: the drives stop.
            let setpoint = order.stopRequests == seenStopRequests && !safetyStale && !stoppedForStaleSafety ? order.setpoint : .stop
            if setpoint != commandedSetpoint {
                if setpoint.running {
                    commandedSetpoint = setpoint
                    commandedOrder = order.raw
                    for module in modules where module.settings.type == .motor { module.writePending = true }
                    for module in modules where module.writePending { writeSetpoint(module, master) }
                    publishHealth()
                } else {
                    stopNow(master)
                }
                continue
            }
            let now = MonotonicClock.now()
            guard let module = modules.min(by: { $0.nextDue < $1.nextDue }) else {
                link.stopSignal.busWakeup.wait(until: now + Self.longestNapNs)
                continue
            }
            if module.nextDue > now {
                // Asleep until the next poll is due; a new order or a stop request wakes it at once. At
                // most `longestNapNs`, so the heartbeat moves well within `SafetyTimings.busDeadNs`.
                link.stopSignal.busWakeup.wait(until: min(module.nextDue, now + Self.longestNapNs))
                continue
            }
            module.nextDue = max(module.nextDue + module.periodNs, now)
            if !module.discovered {
                discover(module, master)
                // A drive that cannot even be identified has not confirmed its stop either.
                if module.stopPending && !module.discovered { module.failedStopAttempts += 1 }
            } else if module.stopPending {
                attemptStop(module, master)
            } else {
                if module.watchdogPending { writeHostWatchdog(module, master) }
                if module.writePending {
                    writeSetpoint(module, master)
                } else if module.settings.hostWatchdogMs > 0 && !safetyStale && now &- module.lastControlWriteAt >= module.watchdogRefreshNs
                {
                    refreshHostWatchdog(module, master)
                }
                poll(module, master)
            }
            publishHealth()
        }
    }

    private func transact(_ module: BusModule, _ body: () -> TransactionOutcome) -> TransactionOutcome {
        let outcome = body()
        // Alive is progress on the bus, not a finished pass: a stop of several silent drives is many
        // timeouts in one pass (the recipe is three transactions per channel), each of them progress.
        link.heartbeat.wrappingAdd(1, ordering: .relaxed)
        let latency = master?.lastTransactionNs ?? 0
        if let discarded = master?.lastDiscardedBytes, discarded > 0 {
            lateBytes.wrappingAdd(UInt64(discarded), ordering: .relaxed)
        }
        module.attempted = true
        let kind: TransactionOutcomeClass
        switch outcome {
        case .ok: kind = .ok
        case .timeout: kind = .timeout
        case .crc: kind = .crc
        case .exception: kind = .exception
        case .other: kind = .other
        case .portLost:
            kind = .other
            portLost()
        }
        module.counters.record(kind, latencyNs: latency)
        return outcome
    }

    private func discover(_ module: BusModule, _ master: ModbusMaster) {
        let outcome = transact(module) {
            master.read(address: module.address, start: IdentityBlock.start, count: Int(IdentityBlock.count), into: module.registers)
        }
        guard outcome == .ok else { return }
        let identity = IdentityBlock(registers: Array(UnsafeBufferPointer(start: module.registers, count: Int(IdentityBlock.count))))
        module.identity.withLock { $0 = identity }
        let reported = identity?.moduleType
        module.typeMismatch = reported != module.settings.type
        module.typeProblem.withLock {
            $0 =
                reported == module.settings.type
                ? nil
                : "configured \(module.settings.type.rawValue), but the module at address \(module.settings.address) reports "
                    + (reported?.rawValue ?? "unknown type code \(identity?.moduleTypeCode ?? 0)")
        }
        module.discovered = true
        module.watchdogPending = module.settings.type == .motor && module.settings.hostWatchdogMs > 0
        module.nextDue = 0
    }

    private func poll(_ module: BusModule, _ master: ModbusMaster) {
        let count = Int(module.map.pollCount)
        let outcome = transact(module) {
            master.read(address: module.address, start: module.map.pollStart, count: count, into: module.registers)
        }
        guard outcome == .ok else { return }
        module.alarm = module.map.hasAlarm(in: UnsafeBufferPointer(start: module.registers, count: count))
        if module.map.type == .motor {
            // A drive that stopped itself (status bit 15: it heard no control write for host_watchdog_ms) is
            // a trip, `drive_watchdog`, until 0x0D is written again and the bit reads clear.
            let expired = module.registers[Int(RegisterMap.motorStatusOffset)] & RegisterMap.hostWatchdogExpiredBit != 0
            if expired && !module.watchdogExpired { module.watchdogExpiries.wrappingAdd(1, ordering: .relaxed) }
            module.watchdogExpired = expired
            let speeds = (
                module.registers[Int(RegisterMap.motorChannels[0] + RegisterMap.motorActualSpeedOffset)],
                module.registers[Int(RegisterMap.motorChannels[1] + RegisterMap.motorActualSpeedOffset)]
            )
            let now = MonotonicClock.now()
            module.judgeStandstill(actualSpeeds: speeds, now: now)
            module.judgeFollowing(actualSpeeds: speeds, now: now)
            // A drive power-cycled (0x0D reads otherwise) or stopped by its watchdog gets 0x0D written
            // again (after the trip's stop), which also clears the expiry.
            let watchdogMs = module.settings.hostWatchdogMs
            if (watchdogMs > 0 && Int(module.registers[Int(RegisterMap.motorHostWatchdogRegister)]) != watchdogMs) || expired {
                module.watchdogPending = true
            }
        }
        var reading = ModuleReading()
        reading.set(module.registers, count: count, at: MonotonicClock.now())
        module.reading.publish(reading)
    }

    /// Every drive must stop (a trip, a stop or a lease expiry): each gets its first attempt now, before
    /// anything else is polled, and again at each of its polls until it reads back stopped.
    private func stopNow(_ master: ModbusMaster) {
        commandedSetpoint = .stop
        requestStop()
        for module in modules where module.stopPending { attemptStop(module, master) }
        publishHealth()
    }

    private func requestStop() {
        for module in modules { module.requireStop() }
    }

    private var allDrivesStopped: Bool { !modules.contains { $0.stopPending || $0.standstillDueAt != 0 } }

    /// `DriveStopRecipe` on both channels; the stop is confirmed when every channel reads back stopped.
    /// A channel that does not is one failed attempt for the drive.
    private func attemptStop(_ module: BusModule, _ master: ModbusMaster) {
        var confirmed = true
        for base in RegisterMap.motorChannels {
            let outcome = DriveStopRecipe.stop(
                channel: base,
                writeZeros: { start, count in
                    transact(module) {
                        master.write(address: module.address, start: start, values: UnsafeBufferPointer(start: zeros, count: count))
                    }
                        == .ok
                },
                readEnableAndSpeed: { start in
                    transact(module) { master.read(address: module.address, start: start, count: 2, into: module.registers) } == .ok
                        ? (module.registers[0], module.registers[1]) : nil
                })
            confirmed = confirmed && outcome == .stopped
        }
        if confirmed {
            let now = MonotonicClock.now()
            module.lastControlWriteAt = now
            // The commands read 0; the stop counts once the actual speed reads 0 too (at the next polls).
            module.awaitStandstill(now: now)
            module.nextDue = 0
        } else {
            module.failedStopAttempts += 1
        }
    }

    /// Direction, then enable 1 with the speed, on both channels of one drive. A failed direction write
    /// stops there: a drive is never enabled to turn a way it was not told. A drive all of whose writes
    /// went through no longer has a stop or a write pending: the move replaced it.
    private func writeSetpoint(_ module: BusModule, _ master: ModbusMaster) {
        let setpoint = commandedSetpoint
        for base in RegisterMap.motorChannels {
            // A move reaches several drives one transaction at a time: a trip or stop ordered meanwhile must
            // reach the next channel as the stop the loop writes next, not as the old move (left pending) —
            // neither its enable nor its direction (a channel still running would turn the new way).
            guard orderStands() else { return }
            writeValues[0] = setpoint.direction
            guard writeRegisters(count: 1, to: module, at: base + RegisterMap.motorDirectionOffset, master) else { return }
            guard orderStands() else { return }
            writeValues[0] = 1
            writeValues[1] = setpoint.speed
            guard writeRegisters(count: 2, to: module, at: base + RegisterMap.motorEnableOffset, master) else { return }
            module.lastControlWriteAt = MonotonicClock.now()
            // From the first channel enabled, both must show they turn: a channel whose writes are refused
            // while the other runs does not follow either.
            if setpoint.speed > 0 { module.armFollowing(now: module.lastControlWriteAt) } else { module.disarmFollowing() }
        }
        module.clearStop()
    }

    /// Whether the order the running setpoint came from is still the safety thread's latest, and no stop was
    /// requested since: read again before every enable write.
    private func orderStands() -> Bool {
        link.order.load(ordering: .acquiring) == commandedOrder
            && UInt16(truncatingIfNeeded: link.stopSignal.requests) == seenStopRequests
    }

    /// `modules[].host_watchdog_ms` to the drive's 0x0D (which also clears an expiry it reports).
    private func writeHostWatchdog(_ module: BusModule, _ master: ModbusMaster) {
        writeValues[0] = UInt16(module.settings.hostWatchdogMs)
        if writeRegisters(count: 1, to: module, at: RegisterMap.motorHostWatchdogRegister, master) {
            module.watchdogPending = false
            module.lastControlWriteAt = MonotonicClock.now()
        }
    }

    /// Keeps a drive's host watchdog from expiring while this thread is alive: channel 1's direction
    /// written again as it was last commanded (the direction while moving, 0 idle stopped). Never enable
    /// or speed: a drive that stopped itself must not be restarted by a keep-alive (DESIGN "Single faults").
    private func refreshHostWatchdog(_ module: BusModule, _ master: ModbusMaster) {
        writeValues[0] = commandedSetpoint.running ? commandedSetpoint.direction : 0
        let base = RegisterMap.motorChannels[0]
        if writeRegisters(count: 1, to: module, at: base + RegisterMap.motorDirectionOffset, master) {
            module.lastControlWriteAt = MonotonicClock.now()
        }
    }

    /// The first `count` of `writeValues` to `module` at `start`; whether the drive acknowledged them.
    private func writeRegisters(count: Int, to module: BusModule, at start: UInt16, _ master: ModbusMaster) -> Bool {
        transact(module) {
            master.write(address: module.address, start: start, values: UnsafeBufferPointer(start: writeValues, count: count))
        } == .ok
    }

    private func portLost() {
        master = nil
        portConnected.store(false, ordering: .releasing)
        for module in modules {
            module.discovered = false
            module.counters.markLost(after: settings.commLossAfter)
        }
        reopenBackoffNs = 100_000_000
        reopenAt = MonotonicClock.now() + reopenBackoffNs
        publishHealth()
    }

    /// Reopens a lost port with backoff (100 ms doubling to 2 s), napping in short slices so the
    /// heartbeat keeps moving.
    private func reopen() {
        let now = MonotonicClock.now()
        guard now >= reopenAt else {
            MonotonicClock.sleep(until: min(reopenAt, now + 50_000_000))
            return
        }
        do {
            master = try open()
            portConnected.store(true, ordering: .releasing)
            reconnects.wrappingAdd(1, ordering: .relaxed)
            lastOpenError.withLock { $0 = nil }
            for module in modules { module.nextDue = 0 }
        } catch {
            lastOpenError.withLock { $0 = error.description }
            reopenBackoffNs = min(reopenBackoffNs * 2, 2_000_000_000)
            reopenAt = now + reopenBackoffNs
        }
    }

    private func publishHealth() {
        var causes: TripCauses = []
        var healthy = true
        var ready = true
        for module in modules {
            let failures = module.counters.consecutiveFailures.load(ordering: .relaxed)
            let mismatch = module.typeMismatch
            if module.settings.required && module.counters.isCommLoss(after: settings.commLossAfter) { causes.insert(.commLoss) }
            // Required or not: a drive that may still be turning is never ignored.
            if module.failedStopAttempts >= settings.commLossAfter { causes.insert(.commLoss) }
            // Required or not: a drive commanded to move that does not answer may be turning unwatched.
            if module.settings.type == .motor && commandedSetpoint.running && module.counters.isCommLoss(after: settings.commLossAfter) {
                causes.insert(.commLoss)
            }
            if module.alarm || mismatch { causes.insert(.moduleAlarm) }
            if module.watchdogExpired { causes.insert(.driveWatchdog) }
            if module.standstillOverdue.load(ordering: .relaxed) { causes.insert(.driveNotStopped) }
            if module.followFailed { causes.insert(.driveNotFollowing) }
            if module.standstillDueAt != 0 { healthy = false }
            if module.settings.required && (failures > 0 || !module.discovered || module.alarm || mismatch) { healthy = false }
            if module.stopPending { healthy = false }
            if !module.attempted { ready = false }
        }
        link.causes.store(causes.rawValue, ordering: .releasing)
        // Held until the safety thread takes them: a cause of one pass is not lost between two cycles.
        if !causes.isEmpty { link.heldCauses.bitwiseOr(causes.rawValue, ordering: .releasing) }
        link.modulesHealthy.store(healthy, ordering: .releasing)
        link.stopConfirmation.store(
            DriveStopConfirmation(tripGeneration: seenTripGeneration, stopped: allDrivesStopped).raw, ordering: .releasing)
        link.ready.store(ready, ordering: .releasing)
    }
}
