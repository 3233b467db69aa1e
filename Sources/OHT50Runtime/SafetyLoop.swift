import OHT50Core
import OHT50IO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The safety thread of DESIGN "Threads": every cycle, at an absolute deadline, it samples the E-stop,
/// takes at most one command, steps the state machine, drives the outputs, pushes events and the reply,
/// and publishes a snapshot. Everything it touches is allocated before it starts; it never blocks,
/// allocates, locks or logs.
public final class SafetyLoop: @unchecked Sendable {
    public let timings: SafetyTimings
    /// Non-RT → safety thread. One producer: `channel`, which serialises senders.
    let commands: SPSCRing<SafetyCommand>
    /// Whether a queued command is the safety thread's to carry out or was withdrawn by its sender.
    let claims = CommandClaims()
    /// Stop requests: read every cycle, never queued (shared with the bus thread when there is one).
    public let stopSignal: MotionStopSignal
    /// Safety thread → `channel`.
    let replies: SPSCRing<CommandReply>
    /// Safety thread → the event pump (log now, storage later).
    let events: SPSCRing<SafetyEvent>
    let snapshot: SnapshotCell<SafetySnapshot>
    /// Safety thread → the event pump: one sample per cycle, for trip recordings.
    let samples: SPSCRing<LoopSample>
    public let statistics = LoopStatistics()
    public let input: any EStopInput
    /// The second channel of a two-channel E-stop.
    public let secondInput: (any EStopInput)?
    /// The motion-enable relay's feedback contact.
    public let feedback: (any EStopInput)?
    /// The only way in for commands: the one producer of `commands`.
    public let channel: CommandChannel
    /// Raised by the safety thread when a cycle produced something to read; the event pump waits on it.
    let wakeup = RTWakeup()
    /// Notified by the event pump once it has read what a wake-up announced: command senders, the
    /// status stream and health waiters look again then, instead of polling.
    public let changes = ChangeSignal()
    /// What the last cycle published, to tell whether this one changed something readers show.
    private var published = PublishedFacts()
    /// The bus thread's mailbox; nil when no modules are configured.
    public let bus: BusLink?
    private var lastBusHeartbeat: UInt64 = 0
    private var lastBusProgress: UInt64 = 0
    /// The drive order written last, to wake the bus thread only when it changes.
    private var lastOrder: UInt64 = 0

    private let lines: SafetyOutputLines
    private var machine: SafetyMachine
    private var inputs: SafetyInputs
    private var motionEnable: DrivenOutput
    private var heartbeat: DrivenOutput
    private var errorLED: DrivenOutput
    private var systemLED: DrivenOutput
    private var commLED: DrivenOutput
    private var heartbeatLevel = false
    private var lastLatencyNs: UInt64 = 0
    private var outputFault = false
    private var previousWake: UInt64 = 0
    private let finished = Atomic<Bool>(false)
    /// Start, stop (a last cycle in `shutdown`), identity and the simulated stall (SIGUSR1).
    public let thread = CyclicThread(name: "oht50-safety")

    public init(
        timings: SafetyTimings, input: any EStopInput, outputs: SafetyOutputLines, bus: BusLink? = nil, ringCapacity: Int = 256,
        secondInput: (any EStopInput)? = nil, feedback: (any EStopInput)? = nil
    ) {
        let now = MonotonicClock.now()
        self.startedAtValue = Atomic(now)
        self.timings = timings
        self.input = input
        self.secondInput = secondInput
        self.feedback = feedback
        precondition(ringCapacity <= CommandClaims.capacity, "a command's claim slot must outlive its time in the ring")
        self.bus = bus
        // No longer than a move's lease either: a frozen safety thread's last move must not outlive it.
        bus?.safetyStaleNs.store(min(timings.maxStallNs, timings.motionLeaseNs), ordering: .relaxed)
        self.stopSignal = bus?.stopSignal ?? MotionStopSignal()
        self.lines = outputs
        self.machine = SafetyMachine(timings: timings, now: now)
        self.inputs = SafetyInputs(estop: .unreadable)
        self.commands = SPSCRing(capacity: ringCapacity)
        self.replies = SPSCRing(capacity: ringCapacity)
        self.events = SPSCRing(capacity: ringCapacity * 4)
        // More than the recording window at the fastest cycle, and four of EventPump's idle ticks.
        self.samples = SPSCRing(capacity: 4_096)
        self.motionEnable = DrivenOutput(outputs.motionEnable)
        self.heartbeat = DrivenOutput(outputs.heartbeat)
        self.errorLED = DrivenOutput(outputs.errorLED)
        self.systemLED = DrivenOutput(outputs.systemLED)
        self.commLED = DrivenOutput(outputs.commLED)
        self.snapshot = SnapshotCell(SafetySnapshot(machine: machine, estop: .unreadable, outputs: .off, at: now, cycle: 0))
        self.channel = CommandChannel(
            commands: commands, claims: claims, replies: replies, snapshot: snapshot, stopSignal: stopSignal,
            commandWaitNs: timings.commandWaitNs, changes: changes)
        // Motion-enable is off while the daemon starts, before the first cycle decides anything.
        outputs.allOff()
    }

    /// Latches from before a restart (`EventStore.latchesSinceLastReset`), each only when its line is still
    /// configured. Before `start` only: the machine is the safety thread's once it runs.
    public func restoreLatches(discrepancy: Bool, contactorFault: ContactorMonitor.Fault) {
        precondition(thread.identity == nil, "latches are restored before the safety thread starts")
        machine.restore(discrepancyLatched: discrepancy && secondInput != nil, contactorFault: feedback == nil ? .none : contactorFault)
    }

    /// Starts the safety thread at SCHED_FIFO `priority` (or SCHED_OTHER when refused).
    public func start(priority: Int32, cpus: [Int]? = nil) throws(SystemCallError) -> SchedulingResult {
        startedAtValue.store(MonotonicClock.now(), ordering: .relaxed)
        return try thread.start(priority: priority, cpus: cpus) { [self] in runLoop() }
    }

    /// When `start` was called (when the loop was made, before): the age of a loop that never cycled.
    var startedAt: UInt64 { startedAtValue.load(ordering: .relaxed) }
    private let startedAtValue: Atomic<UInt64>

    /// Whether this thread (and the bus thread it watches) is alive: the one judgement health, the
    /// watchdog and the metrics use.
    public var liveness: Liveness { Liveness(loop: self) }

    /// What the non-RT side may see and do: read, judge and send commands; never step, stop or touch the rings.
    public var view: SafetyLoopView { SafetyLoopView(self) }

    /// Asks the thread for a last cycle in `shutdown` (outputs off), waits for it to end, and turns
    /// every line off again from this thread.
    public func stop() {
        thread.stop()
        lines.allOff()
    }

    /// True once the thread has run its shutdown cycle.
    package var hasFinished: Bool { finished.load(ordering: .acquiring) }

    private func runLoop() {
        let start = MonotonicClock.now()
        var schedule = CycleSchedule(start: start, period: timings.cycleNs)
        previousWake = start
        while true {
            MonotonicClock.sleep(until: schedule.deadline)
            thread.serveStall()
            let woke = MonotonicClock.now()
            let (late, overrun) = schedule.woke(at: woke)
            statistics.wakeUpLatency.record(nanoseconds: late)
            lastLatencyNs = late
            if overrun { statistics.overruns.incrementBySingleWriter() }
            let stalled = woke &- previousWake > timings.maxStallNs
            if stalled { statistics.stalls.incrementBySingleWriter() }
            previousWake = woke
            runCycle(now: woke, stalled: stalled)
            if machine.state == .shutdown && thread.stopRequested { break }
        }
        finished.store(true, ordering: .releasing)
    }

    @inline(__always)
    private func readBus(_ bus: BusLink, now: UInt64) {
        let heartbeat = bus.heartbeat.load(ordering: .relaxed)
        if heartbeat != lastBusHeartbeat || lastBusProgress == 0 {
            lastBusHeartbeat = heartbeat
            lastBusProgress = now
        }
        var causes = bus.takeCauses()
        if now &- lastBusProgress > timings.busDeadNs { causes.insert(.busThreadDead) }
        inputs.busCauses = causes
        inputs.requiredModulesHealthy = bus.modulesHealthy.load(ordering: .acquiring)
        inputs.busReady = bus.ready.load(ordering: .acquiring)
        let confirmation = DriveStopConfirmation(raw: bus.stopConfirmation.load(ordering: .acquiring))
        inputs.drivesStopped = confirmation.stopped
        inputs.drivesStoppedGeneration = confirmation.tripGeneration
    }

    /// The drive setpoint for the bus thread with the trip generation and stop requests it was decided
    /// under: a new generation makes it stop every drive before it polls again.
    @inline(__always)
    private func writeBus(_ bus: BusLink, _ step: SafetyStep) {
        let order = DriveOrder(
            setpoint: DriveSetpoint(step.outputs.drive), tripGeneration: machine.tripGeneration,
            stopRequests: machine.stopRequestsSeen, motionEnds: machine.motionEnds)
        bus.order.store(order.raw, ordering: .releasing)
        // After the order, the time it was stored (not the cycle's wake): a bus thread that reads this time
        // reads this cycle's order (or newer), and a cycle slow inside itself is not taken for a stale one.
        bus.safetyAliveAt.store(MonotonicClock.now(), ordering: .releasing)
        // The bus thread sleeps until its next poll: a new order wakes it now.
        if order.raw != lastOrder {
            lastOrder = order.raw
            bus.stopSignal.busWakeup.raise()
        }
    }

    /// One cycle's work. Public so tests can run cycles on their own thread with their own clock.
    package func runCycle(now: UInt64, stalled: Bool = false) {
        inputs.estop = input.sample()
        if let secondInput { inputs.estopSecond = secondInput.sample() }
        if let feedback { inputs.feedback = feedback.sample() }
        let command = commands.pop()
        inputs.command = command
        inputs.commandWithdrawn = command.map { !claims.take($0.id) } ?? false
        // Read after the command: a move queued after a stop carries that stop's count, so it is not
        // mistaken for one sent before it; a stop that comes later is seen next cycle.
        inputs.stopRequests = stopSignal.requests
        inputs.stalled = stalled
        inputs.outputFault = outputFault
        inputs.shutdownRequested = thread.stopRequested
        if let bus {
            readBus(bus, now: now)
        } else {
            inputs.drivesStoppedGeneration = machine.tripGeneration
        }
        let step = machine.step(inputs, now: now)
        if let bus { writeBus(bus, step) }

        // Every line every cycle, read back first: one that did not hold its level is output_fault.
        var ok = motionEnable.drive(step.outputs.motionEnable)
        heartbeatLevel.toggle()
        ok = heartbeat.drive(heartbeatLevel && machine.state != .shutdown) && ok
        ok = errorLED.drive(!step.outputs.motionEnable) && ok
        let halfSecondCycles = max(1, 500_000_000 / timings.cycleNs)
        let cycle = statistics.cycles.load(ordering: .relaxed)
        ok = systemLED.drive(machine.state != .shutdown && (cycle / halfSecondCycles) % 2 == 0) && ok
        ok = commLED.drive(inputs.busCauses.isDisjoint(with: .busFaults)) && ok
        outputFault = !ok

        // Publish before replying: whoever reads the reply then reads a snapshot at least this new.
        snapshot.publish(
            SafetySnapshot(
                machine: machine, estop: inputs.estop, outputs: step.outputs, at: now, cycle: cycle &+ 1, estopSecond: inputs.estopSecond,
                feedback: inputs.feedback))
        // The sample goes before the cycle's events, so a trip's recording already holds its own cycle.
        samples.push(
            LoopSample(
                at: now, state: machine.state, estopRaw: inputs.estop.raw, motionEnable: step.outputs.motionEnable,
                driveSpeedPercent: step.outputs.drive?.speedPercent ?? 0,
                wakeupLatencyUs: UInt32(truncatingIfNeeded: min(lastLatencyNs / 1_000, UInt64(UInt32.max))), causes: machine.activeCauses,
                estopSecondRaw: inputs.estopSecond?.raw, feedbackRaw: inputs.feedback?.raw))
        for index in 0..<step.events.count { events.push(step.events[index]) }
        if let reply = step.reply { replies.push(reply) }
        let facts = PublishedFacts(
            state: machine.state, estop: inputs.estop.level, causes: machine.activeCauses, motionEnable: step.outputs.motionEnable,
            stopRequestsSeen: machine.stopRequestsSeen, estopSecond: inputs.estopSecond?.level, feedback: inputs.feedback?.level)
        if step.events.count > 0 || step.reply != nil || facts != published { wakeup.raise() }
        published = facts
        statistics.cycles.incrementBySingleWriter()
        statistics.lastCycleAt.store(now, ordering: .relaxed)
    }
}

/// What readers show of a cycle (status, stream, a stop's confirmation): a change wakes them.
private struct PublishedFacts: Equatable {
    var state = SafetyState.initializing
    var estop = EStopSample.Level.unreadable
    var causes: TripCauses = []
    var motionEnable = false
    var stopRequestsSeen: UInt32 = 0
    var estopSecond: EStopSample.Level?
    var feedback: EStopSample.Level?
}
