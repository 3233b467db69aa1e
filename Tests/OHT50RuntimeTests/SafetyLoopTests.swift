import CMallocCounter
import Foundation
import OHT50Core
import OHT50IO
import OHT50TestSupport
import Synchronization
import Testing

@testable import OHT50Runtime

@Suite("Safety loop")
struct SafetyLoopTests {
    static let timings = SafetyTimings(
        cycleNs: 1_000_000, resetReleaseNs: 50_000_000, maxStallNs: 1_000_000_000, motionLeaseNs: 300_000_000)

    static func makeLoop(input: any EStopInput, motionEnable: SimulatedOutputLine, heartbeat: SimulatedOutputLine? = nil)
        -> SafetyLoop
    {
        SafetyLoop(timings: timings, input: input, outputs: SafetyOutputLines(motionEnable: motionEnable, heartbeat: heartbeat))
    }

    @Test("a cycle allocates nothing: sysfs input, outputs, bus mailbox, commands, replies, events and snapshot included")
    func cycleAllocatesNothing() throws {
        let dir = TemporaryDirectory()
        let estopPath = dir.write("gpio59/value", "1\n")
        let outputPath = dir.write("gpio131/value", "0\n")
        let bus = BusLink()
        bus.ready.store(true, ordering: .relaxed)
        bus.modulesHealthy.store(true, ordering: .relaxed)
        bus.stopConfirmation.store(DriveStopConfirmation(tripGeneration: 0, stopped: true).raw, ordering: .relaxed)
        let loop = SafetyLoop(
            timings: Self.timings, input: try SysfsEStopInput(path: estopPath, activeLow: true),
            outputs: SafetyOutputLines(
                motionEnable: try SysfsOutputLine(path: outputPath, role: "motion-enable"),
                heartbeat: SimulatedOutputLine()),
            bus: bus)
        var now = MonotonicClock.now()
        for _ in 0..<200 {
            now += 1_000_000
            bus.heartbeat.wrappingAdd(1, ordering: .relaxed)
            loop.runCycle(now: now)
        }
        let commands: [SafetyCommand.Kind] = [.reset, .move(MotionRequest(speedPercent: 20, direction: .forward)), .reset]

        oht50_malloc_counting_begin()
        for cycle in 0..<2_000 {
            if cycle % 100 == 0 { Self.queue(commands[(cycle / 100) % commands.count], id: UInt32(cycle + 1), on: loop, at: now) }
            if cycle % 100 == 50 { loop.stopSignal.request() }
            now += 1_000_000
            bus.heartbeat.wrappingAdd(1, ordering: .relaxed)
            if cycle == 1_200 { bus.causes.store(TripCauses.commLoss.rawValue, ordering: .relaxed) }
            if cycle == 1_300 { bus.causes.store(0, ordering: .relaxed) }
            loop.runCycle(now: now, stalled: cycle == 1_500)
            _ = loop.replies.pop()
            _ = loop.events.pop()
        }
        let allocations = oht50_malloc_counting_end()

        #expect(allocations == 0)
        #expect(loop.snapshot.read().cycle == 2_200)
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .stall)
        #expect(DriveOrder(raw: bus.order.load(ordering: .relaxed)).tripGeneration == 2)
        #expect(loop.snapshot.read().machine.stopRequestsSeen == 20)
    }

    @Test("with two E-stop channels and a contactor feedback a cycle still allocates nothing: trips, discrepancy, a welded contact")
    func relayCycleAllocatesNothing() throws {
        let first = SimulatedEStopInput()
        let second = SimulatedEStopInput()
        // The feedback reads its active level ("pressed") while the relay is dropped out.
        let feedback = SimulatedEStopInput()
        feedback.press()
        let motionEnable = SimulatedOutputLine()
        let loop = SafetyLoop(
            timings: Self.timings, input: first, outputs: SafetyOutputLines(motionEnable: motionEnable), secondInput: second,
            feedback: feedback)
        var now = MonotonicClock.now()
        for _ in 0..<200 {
            now += 1_000_000
            loop.runCycle(now: now)
        }

        oht50_malloc_counting_begin()
        for cycle in 0..<3_000 {
            if cycle % 500 == 0 { Self.queue(.reset, id: UInt32(cycle + 1), on: loop, at: now) }
            switch cycle {
            case 100: second.press()  // one channel: a trip, then estop_discrepancy
            case 400: second.release()
            case 600:
                first.press()
                second.press()
            case 700:
                first.release()
                second.release()
            case 1_100: feedback.release()  // welded from here (ready since the reset at 1_000: pulled in) …
            case 1_150:
                first.press()
                second.press()  // … and motion-enable goes off: it stays pulled in
            case 1_200:
                first.release()
                second.release()
            case 1_600: feedback.press()
            default: break
            }
            // A sound relay follows the output, unless it is welded (1_100–1_600).
            if !(1_100..<1_600).contains(cycle) { motionEnable.isOn ? feedback.release() : feedback.press() }
            now += 1_000_000
            loop.runCycle(now: now)
            _ = loop.replies.pop()
            _ = loop.events.pop()
        }
        let allocations = oht50_malloc_counting_end()

        #expect(allocations == 0)
        let causes = (0..<4_096).compactMap { _ in loop.samples.pop()?.causes }.reduce(TripCauses()) { $0.union($1) }
        #expect(causes.isSuperset(of: [.estop, .estopDiscrepancy, .outputFault]), "\(causes.names)")
    }

    /// Queues a command the way `CommandChannel` does, stamped with the test's own clock.
    /// A loop whose motion-enable is a value file in `dir` (written 0), and the file's path.
    static func sysfsMotionEnableLoop(_ dir: TemporaryDirectory) throws -> (SafetyLoop, String) {
        let outputPath = dir.write("gpio131/value", "0\n")
        let loop = SafetyLoop(
            timings: Self.timings, input: SimulatedEStopInput(),
            outputs: SafetyOutputLines(motionEnable: try SysfsOutputLine(path: outputPath, role: "motion-enable")))
        return (loop, outputPath)
    }

    /// Runs a loop's cycles on the test's thread with its own 1 ms clock.
    final class Cycler {
        let loop: SafetyLoop
        var now = MonotonicClock.now()

        init(_ loop: SafetyLoop) { self.loop = loop }

        func run(_ n: Int) {
            for _ in 0..<n {
                now += 1_000_000
                loop.runCycle(now: now)
            }
        }
    }

    static func queue(_ kind: SafetyCommand.Kind, id: UInt32, on loop: SafetyLoop, at now: UInt64) {
        loop.claims.register(id)
        loop.commands.push(
            SafetyCommand(
                id: id, kind: kind, queuedAt: now, tripGeneration: loop.snapshot.read().machine.tripGeneration,
                stopRequests: loop.stopSignal.requests))
    }

    @Test("the malloc counter sees allocations (so a zero above means something)")
    func counterWorks() {
        oht50_malloc_counting_begin()
        let array = (0..<100).map { "\($0)" }
        let allocations = oht50_malloc_counting_end()
        #expect(array.count == 100)
        #expect(allocations > 0)
    }

    @Test("on its own RT thread: boot latched, a press shorter than a cycle trips, stop turns everything off")
    func realThread() async throws {
        let input = SimulatedEStopInput()
        let motion = SimulatedOutputLine()
        let heartbeat = SimulatedOutputLine()
        let loop = Self.makeLoop(input: input, motionEnable: motion, heartbeat: heartbeat)
        let channel = loop.channel
        let scheduling = try loop.start(priority: 80)
        defer { loop.stop() }
        // What the loop reports is what the kernel runs the thread with (this loop's thread: other tests
        // run loops of the same name at the same time).
        let identity = try #require(loop.thread.identity)
        #expect(identity.waitUntilStarted(timeoutNs: 10_000_000_000))
        let kernel = try #require(Self.kernelScheduling(tid: identity.tid))
        #expect(kernel.policy == (scheduling.realtime ? SCHED_FIFO : SCHED_OTHER))
        #expect(kernel.priority == scheduling.priority)
        #expect(scheduling.policy == (kernel.policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_OTHER"))

        #expect(eventually { loop.snapshot.read().machine.state == .latched })
        #expect(eventually { loop.snapshot.read().machine.resetRefusal(now: loop.snapshot.read().at).isEmpty })
        let reply = try await channel.send(.reset, source: "test")
        #expect(reply.accepted)
        #expect(reply.state == .ready)
        #expect(eventually { motion.isOn })

        input.press()
        input.release()
        #expect(eventually { loop.snapshot.read().machine.lastTrip?.causes == .estop })
        #expect(!motion.isOn)
        #expect(eventually { loop.snapshot.read().machine.state == .latched })

        let refused = try await channel.send(.reset, source: "test")
        #expect(!refused.accepted)
        #expect(refused.refusal.reasons.contains(.releaseTooShort))

        #expect(eventually { heartbeat.writeCount > 100 })
        loop.stop()
        #expect(loop.hasFinished)
        #expect(loop.snapshot.read().machine.state == .shutdown)
        #expect(!motion.isOn)
        #expect(!heartbeat.isOn)
        var events: [SafetyEvent] = []
        while let e = loop.events.pop() { events.append(e) }
        #expect(events.contains { $0.kind == .resetAccepted })
        #expect(events.contains { $0.kind == .resetRefused })
        #expect(events.contains { $0.kind == .trip && $0.causes == .estop })
        #expect(events.last?.to == .shutdown)
    }

    /// The policy and priority the kernel gives this process's thread of that name (`/proc/self/task/*/comm`).
    static func kernelScheduling(tid: pid_t) -> (policy: Int32, priority: Int32)? {
        var param = sched_param()
        guard sched_getparam(tid, &param) == 0 else { return nil }
        return (sched_getscheduler(tid), param.sched_priority)
    }

    @Test("an unreadable input trips with input_fault; a failing output trips with output_fault")
    func inputAndOutputFaults() throws {
        let input = SimulatedEStopInput()
        let motion = SimulatedOutputLine()
        let heartbeat = SimulatedOutputLine()
        let loop = Self.makeLoop(input: input, motionEnable: motion, heartbeat: heartbeat)
        let clock = Cycler(loop)
        clock.run(100)
        Self.queue(.reset, id: 1, on: loop, at: clock.now)
        clock.run(1)
        #expect(loop.snapshot.read().machine.state == .ready)
        #expect(motion.isOn)

        input.setFailing(true)
        clock.run(1)
        #expect(loop.snapshot.read().machine.state == .estop)
        #expect(loop.snapshot.read().machine.activeCauses == .inputFault)
        #expect(!motion.isOn)
        input.setFailing(false)
        clock.run(100)
        Self.queue(.reset, id: 2, on: loop, at: clock.now)
        clock.run(1)
        #expect(loop.snapshot.read().machine.state == .ready)

        heartbeat.setFailing(true)
        clock.run(2)
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
        #expect(loop.snapshot.read().machine.state == .fault)
    }

    @Test("a motion-enable line driven from outside is put back at the next cycle and trips output_fault (issue 38, recipe 2)")
    func outputDrivenFromOutside() throws {
        let input = SimulatedEStopInput()
        let motion = SimulatedOutputLine()
        let loop = Self.makeLoop(input: input, motionEnable: motion, heartbeat: SimulatedOutputLine())
        let clock = Cycler(loop)
        clock.run(100)
        #expect(loop.snapshot.read().machine.state == .latched)

        // Latched, somebody writes 1: the next cycle writes 0 again and the trip says output_fault.
        motion.force(true)
        clock.run(1)
        #expect(!motion.isOn)
        clock.run(1)
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
        #expect(!loop.snapshot.read().outputs.motionEnable)
        clock.run(5)
        #expect(loop.snapshot.read().machine.state == .latched)

        // Pressed, somebody writes 1 at every cycle: it never stays 1 across a cycle, and the state stays estop.
        input.press()
        clock.run(2)
        for _ in 0..<20 {
            motion.force(true)
            clock.run(1)
            #expect(!motion.isOn)
        }
        #expect(loop.snapshot.read().machine.state == .estop)
        #expect(loop.snapshot.read().machine.activeCauses.contains(.outputFault))
        input.release()
        clock.run(100)

        // Ready, the relay dropped from outside: a trip, motion-enable stays off until a reset.
        Self.queue(.reset, id: 1, on: loop, at: clock.now)
        clock.run(1)
        #expect(loop.snapshot.read().machine.state == .ready)
        #expect(motion.isOn)
        motion.force(false)
        clock.run(2)
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
        #expect(!motion.isOn)
        clock.run(5)
        #expect(!motion.isOn)
        #expect(loop.snapshot.read().machine.state == .latched)
    }

    /// A line that takes every write and can never be read back.
    final class BlindLine: OutputLine, @unchecked Sendable {
        func set(_ on: Bool) -> Bool { true }
        func sense() -> Bool? { nil }
        func readBack() -> Bool? { nil }
        var description: String { "blind" }
    }

    @Test("a motion-enable line that cannot be read back for more than 20 cycles trips output_fault: it is not checked")
    func blindOutput() {
        let loop = SafetyLoop(timings: Self.timings, input: SimulatedEStopInput(), outputs: SafetyOutputLines(motionEnable: BlindLine()))
        var now = MonotonicClock.now()
        for _ in 0..<100 {
            now += 1_000_000
            loop.runCycle(now: now)
        }
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
        #expect(loop.snapshot.read().machine.state == .fault)
    }

    @Test("a sysfs motion-enable file replaced under the daemon (a re-export) is written anew: put back and output_fault")
    func sysfsOutputReplaced() throws {
        let dir = TemporaryDirectory()
        let (loop, outputPath) = try Self.sysfsMotionEnableLoop(dir)
        let clock = Cycler(loop)
        clock.run(100)
        // A new file at the path, holding 1 (rename is atomic: the old inode is gone from the path).
        let fresh = dir.write("gpio131/value.new", "1\n")
        #expect(rename(fresh, outputPath) == 0)
        clock.run(3)
        #expect(try String(contentsOfFile: outputPath, encoding: .utf8) == "0\n")
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
    }

    @Test("a bus cause present for one bus pass only, gone before the next cycle, still trips: held until the safety thread takes it")
    func heldBusCause() {
        // Issue 38, item 7: at cycle_ms 100, alarm pulses between two cycles left no record.
        let bus = BusLink()
        bus.ready.store(true, ordering: .relaxed)
        bus.modulesHealthy.store(true, ordering: .relaxed)
        bus.stopConfirmation.store(DriveStopConfirmation(tripGeneration: 0, stopped: true).raw, ordering: .relaxed)
        let motion = SimulatedOutputLine()
        let loop = SafetyLoop(
            timings: Self.timings, input: SimulatedEStopInput(), outputs: SafetyOutputLines(motionEnable: motion), bus: bus)
        var now = MonotonicClock.now()
        func cycles(_ n: Int) {
            for _ in 0..<n {
                now += 1_000_000
                bus.heartbeat.wrappingAdd(1, ordering: .relaxed)
                bus.stopConfirmation.store(
                    DriveStopConfirmation(tripGeneration: loop.snapshot.read().machine.tripGeneration, stopped: true).raw,
                    ordering: .relaxed)
                loop.runCycle(now: now)
            }
        }
        cycles(100)
        Self.queue(.reset, id: 1, on: loop, at: now)
        cycles(1)
        #expect(loop.snapshot.read().machine.state == .ready)
        // The bus thread saw an alarm for one pass and cleared the level again before this cycle.
        bus.heldCauses.bitwiseOr(TripCauses.moduleAlarm.rawValue, ordering: .releasing)
        bus.causes.store(0, ordering: .releasing)
        cycles(1)
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .moduleAlarm)
        #expect(!motion.isOn)
        cycles(2)
        #expect(loop.snapshot.read().machine.state == .latched)
    }

    @Test("a sysfs motion-enable value file written from outside reads back, is rewritten and trips output_fault")
    func sysfsOutputDrivenFromOutside() throws {
        let dir = TemporaryDirectory()
        let (loop, outputPath) = try Self.sysfsMotionEnableLoop(dir)
        let clock = Cycler(loop)
        clock.run(100)
        #expect(loop.snapshot.read().machine.state == .latched)
        try "1\n".write(toFile: outputPath, atomically: false, encoding: .utf8)
        clock.run(2)
        #expect(try String(contentsOfFile: outputPath, encoding: .utf8) == "0\n")
        #expect(loop.snapshot.read().machine.lastTrip?.causes == .outputFault)
        clock.run(5)
        #expect(loop.snapshot.read().machine.state == .latched)
    }

    @Test("a command the safety thread does not take within 100 ms is withdrawn; the ring full says nothing was queued")
    func channelFailures() async {
        let loop = Self.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let channel = loop.channel
        await #expect(throws: CommandChannel.Failure.timedOut) { try await channel.send(.reset, source: "test") }
        for id in 0..<UInt32(loop.commands.capacity) { Self.queue(.reset, id: 1_000 + id, on: loop, at: 0) }
        await #expect(throws: CommandChannel.Failure.ringFull) { try await channel.send(.reset, source: "test") }
    }

    /// Whoever wins the command's claim decides the answer: the sender that withdrew says 503 (and the
    /// command is never carried out); a sender whose command was taken waits past its bound for the reply.
    /// The safety thread's side is a real thread here, so nothing depends on the test pool's scheduling.
    @Test("the sender's answer agrees with who won the claim: taken means it waits for the reply, withdrawn means 503")
    func takenCommandIsAwaited() async throws {
        let loop = Self.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let channel = loop.channel
        let bound = Duration.nanoseconds(Int64(loop.timings.commandWaitNs))
        // (reply sent, claim won, a withdrawal after the take was refused)
        let taken = Mutex<(CommandReply?, Bool, Bool)>((nil, false, false))
        let safetySide = Thread {
            guard eventually({ loop.commands.count == 1 }), let command = loop.commands.pop() else { return }
            let won = loop.claims.take(command.id)
            taken.withLock { $0.1 = won }
            guard won else { return }
            let refused = !loop.claims.withdraw(command.id)
            taken.withLock { $0.2 = refused }
            // Reply only once the sender's own bound is long past: it must still be waiting.
            let takenAt = ContinuousClock.now
            _ = eventually { ContinuousClock.now >= takenAt.advanced(by: bound * 2) }
            let reply = CommandReply(
                id: command.id, accepted: false, refusal: CommandRefusal(reasons: .stateNotLatched, activeCauses: [], state: .initializing),
                state: .initializing)
            taken.withLock { $0.0 = reply }
            loop.replies.push(reply)
        }
        safetySide.start()
        var answer: Result<CommandReply, CommandChannel.Failure>
        do {
            answer = .success(try await channel.send(.reset, source: "test"))
        } catch {
            answer = .failure(error)
        }
        #expect(eventually { safetySide.isFinished })
        let (reply, won, withdrawalRefused) = taken.withLock { $0 }
        if won {
            #expect(withdrawalRefused)
            #expect(try answer.get() == reply)
        } else {
            // The safety side was slower than the bound: the sender withdrew first, so it must say 503.
            #expect(answer == .failure(.timedOut))
        }
    }

    /// The loop-stall scenario of issue 26, deterministically: cycles run by hand, so "stalled" is simply
    /// no cycle. Resets and a move sent during the stall time out; when the loop resumes it trips on the
    /// stall and carries none of them out.
    @Test("commands answered 503 during a stall are never carried out after it; the event log shows each discarded")
    func commandsFromAStallDiscarded() async throws {
        let loop = Self.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let channel = loop.channel
        var now = MonotonicClock.now()
        func cycles(_ n: Int, stalled: Bool = false) {
            for _ in 0..<n {
                now += 1_000_000
                loop.runCycle(now: now, stalled: stalled)
            }
        }
        cycles(100)
        Self.queue(.reset, id: 100, on: loop, at: now)
        cycles(1)
        #expect(loop.snapshot.read().machine.state == .ready)

        var outcomes: [CommandChannel.Failure] = []
        for kind in [SafetyCommand.Kind.reset, .reset, .move(MotionRequest(speedPercent: 50, direction: .forward))] {
            do {
                _ = try await channel.send(kind, source: "test")
            } catch {
                outcomes.append(error)
            }
        }
        #expect(outcomes == [.timedOut, .timedOut, .timedOut])
        #expect(loop.commands.count == 3)

        now = MonotonicClock.now()
        loop.runCycle(now: now, stalled: true)
        cycles(10)
        #expect(loop.commands.count == 0)
        var events: [SafetyEvent] = []
        while let e = loop.events.pop() { events.append(e) }
        let trip = try #require(events.firstIndex { $0.kind == .trip && $0.causes == .stall })
        let after = events[trip...]
        #expect(!after.contains { $0.kind == .resetAccepted || ($0.kind == .stateChange && $0.to.permitsMotion) })
        let discarded = after.filter { $0.commandID != 0 }
        #expect(discarded.map(\.kind) == [.resetRefused, .resetRefused, .commandDiscarded])
        #expect(discarded.allSatisfy { $0.refusal.isSuperset(of: [.commandExpired, .issuedBeforeTrip]) })
        #expect(loop.snapshot.read().machine.state == .latched)
    }
}
