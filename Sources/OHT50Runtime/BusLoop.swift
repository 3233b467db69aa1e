#if canImport(Glibc)
import Glibc
#endif
import OHT50Core
import OHT50IO
import Synchronization

/// The bus thread of DESIGN "Threads": the only user of the libmodbus context. It polls every module on
/// its schedule (drives first when several are due), writes the drive setpoint it gets from the safety
/// thread, and on a trip writes stop to every drive channel and reads it back before polling again. It
/// reports comm loss, alarms and health to the safety thread through `BusLink`.
public final class BusLoop: @unchecked Sendable {
    public let settings: BusSettings
    public let modules: [BusModule]
    public let link: BusLink
    private let open: @Sendable () throws(BusOpenError) -> ModbusMaster
    private var master: ModbusMaster?
    private let running = Atomic<Bool>(true)
    private var thread: RealtimeThread?
    private var seenTripGeneration: UInt32 = 0
    private var writtenSetpoint = DriveSetpoint(raw: 0)
    private var reopenBackoffNs: UInt64 = 100_000_000
    private var reopenAt: UInt64 = 0
    /// Times the port was lost and reopened, for reports.
    public let reconnects = Atomic<UInt64>(0)
    /// Bytes that arrived when no transaction was waiting for them, discarded before a request: replies
    /// later than the response timeout (or after a pause of this thread), or line noise.
    public let lateBytes = Atomic<UInt64>(0)
    public let lastOpenError = Mutex<String?>(nil)

    /// - Parameter open: opens the port; called again after the port is lost.
    public init(settings: BusSettings, modules: [ModuleSettings], link: BusLink, master: ModbusMaster,
                open: @escaping @Sendable () throws(BusOpenError) -> ModbusMaster) {
        self.settings = settings
        // Drives first: when several modules are due, the drive is polled before the others.
        self.modules = modules.sorted { ($0.type == .motor ? 0 : 1) < ($1.type == .motor ? 0 : 1) }.map(BusModule.init)
        self.link = link
        self.master = master
        self.open = open
    }

    public func start(priority: Int32) throws(SystemCallError) -> SchedulingResult {
        let thread = try RealtimeThread(name: "oht50-bus", priority: priority) { [self] in run() }
        self.thread = thread
        return thread.scheduling
    }

    /// Stops every drive, then ends the thread.
    public func stop() {
        running.store(false, ordering: .releasing)
        thread?.join()
        thread = nil
        if let master { stopDrives(master) }
    }

    public var isConnected: Bool { portConnected.load(ordering: .acquiring) }
    private let portConnected = Atomic<Bool>(true)

    private func run() {
        while running.load(ordering: .acquiring) {
            link.heartbeat.wrappingAdd(1, ordering: .relaxed)
            guard let master else {
                reopen()
                continue
            }
            let generation = link.tripGeneration.load(ordering: .acquiring)
            if generation != seenTripGeneration {
                seenTripGeneration = generation
                stopDrives(master)
                writtenSetpoint = DriveSetpoint(raw: 0)
                continue
            }
            let setpoint = DriveSetpoint(raw: link.setpoint.load(ordering: .acquiring))
            if setpoint != writtenSetpoint {
                if writeDrives(master, setpoint) { writtenSetpoint = setpoint }
                publishHealth()
                continue
            }
            let now = MonotonicClock.now()
            guard let module = modules.min(by: { $0.nextDue < $1.nextDue }) else {
                sleep(until: now + 10_000_000)
                continue
            }
            if module.nextDue > now {
                // Short naps keep setpoint changes and trips from waiting for the next poll.
                sleep(until: min(module.nextDue, now + 1_000_000))
                continue
            }
            module.nextDue = max(module.nextDue + module.periodNs, now)
            if module.discovered { poll(module, master) } else { discover(module, master) }
            publishHealth()
        }
    }

    private func transact(_ module: BusModule, _ body: () -> TransactionOutcome) -> TransactionOutcome {
        let outcome = body()
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
            $0 = reported == module.settings.type
                ? nil
                : "configured \(module.settings.type.rawValue), but the module at address \(module.settings.address) reports "
                    + (reported?.rawValue ?? "unknown type code \(identity?.moduleTypeCode ?? 0)")
        }
        module.discovered = true
        module.nextDue = 0
    }

    private func poll(_ module: BusModule, _ master: ModbusMaster) {
        let count = Int(module.map.pollCount)
        let outcome = transact(module) {
            master.read(address: module.address, start: module.map.pollStart, count: count, into: module.registers)
        }
        guard outcome == .ok else { return }
        let registers = Array(UnsafeBufferPointer(start: module.registers, count: count))
        module.alarm = module.map.alarm(in: registers) != nil
        var reading = ModuleReading()
        reading.set(module.registers, count: count, at: MonotonicClock.now())
        module.reading.publish(reading)
    }

    /// Enable 0 and speed 0 on every channel of every drive, each read back.
    private func stopDrives(_ master: ModbusMaster) {
        for module in modules where module.settings.type == .motor {
            for base in RegisterMap.motorChannels {
                let start = base + RegisterMap.motorEnableOffset
                let written = transact(module) { master.write(address: module.address, start: start, values: [0, 0]) }
                guard written == .ok else { continue }
                _ = transact(module) { master.read(address: module.address, start: start, count: 2, into: module.registers) }
            }
        }
    }

    private func writeDrives(_ master: ModbusMaster, _ setpoint: DriveSetpoint) -> Bool {
        guard setpoint.running else {
            stopDrives(master)
            return true
        }
        var ok = true
        for module in modules where module.settings.type == .motor {
            for base in RegisterMap.motorChannels {
                ok = transact(module) {
                    master.write(address: module.address, start: base + RegisterMap.motorDirectionOffset, values: [setpoint.direction])
                } == .ok && ok
                ok = transact(module) {
                    master.write(address: module.address, start: base + RegisterMap.motorEnableOffset, values: [1, setpoint.speed])
                } == .ok && ok
            }
        }
        return ok
    }

    private func portLost() {
        master = nil
        portConnected.store(false, ordering: .releasing)
        for module in modules {
            module.discovered = false
            module.counters.consecutiveFailures.store(max(settings.commLossAfter, module.counters.consecutiveFailures.load(ordering: .relaxed)), ordering: .relaxed)
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
            sleep(until: min(reopenAt, now + 50_000_000))
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
            if module.settings.required && failures >= settings.commLossAfter { causes.insert(.commLoss) }
            if module.alarm || mismatch { causes.insert(.moduleAlarm) }
            if module.settings.required && (failures > 0 || !module.discovered || module.alarm || mismatch) { healthy = false }
            if !module.attempted { ready = false }
        }
        link.causes.store(causes.rawValue, ordering: .releasing)
        link.modulesHealthy.store(healthy, ordering: .releasing)
        link.ready.store(ready, ordering: .releasing)
    }

    private func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
