import OHT50Core
import OHT50IO
import Testing

@testable import OHT50Runtime

/// `/health`, the systemd watchdog and `/metrics` all read this verdict; these are its two rules.
@Suite("Liveness")
struct LivenessTests {
    @Test("the safety loop is stalled once its last cycle is older than safety.max_stall_ms, and alive again after a cycle")
    func stalledByLastCycleAge() {
        let loop = SafetyLoopTests.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let maxStall = loop.timings.maxStallNs
        let start = MonotonicClock.now()
        loop.runCycle(now: start)

        let fresh = loop.liveness.judge(now: start + maxStall)
        #expect(fresh.alive && fresh.problems.isEmpty && fresh.lastCycleAgeNs == maxStall)

        let stale = loop.liveness.judge(now: start + maxStall + 1)
        #expect(!stale.alive)
        #expect(stale.problems == ["safety_loop_stalled"])

        loop.runCycle(now: start + maxStall + 2)
        #expect(loop.liveness.judge(now: start + maxStall + 3).alive)
    }

    @Test("before its first cycle the loop is judged from when it was made: not stalled at once, stalled when it never cycles")
    func neverCycled() {
        let loop = SafetyLoopTests.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let now = MonotonicClock.now()
        #expect(loop.liveness.judge(now: now).alive)
        #expect(loop.liveness.judge(now: now + loop.timings.maxStallNs + 1_000_000_000).problems == ["safety_loop_stalled"])
    }

    @Test("a loop stopped on purpose (shutdown) is stopping, not stalled: health and the watchdog do not call it a fault")
    func stoppedOnPurpose() {
        let loop = SafetyLoopTests.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let start = MonotonicClock.now()
        loop.runCycle(now: start)
        loop.stop()
        let verdict = loop.liveness.judge(now: start + 10 * loop.timings.maxStallNs)
        #expect(verdict.stopping && verdict.alive && verdict.problems.isEmpty)
    }

    @Test("a bus thread whose heartbeat stands still is dead for health and the watchdog exactly when the safety loop trips on it")
    func busThreadDead() {
        let bus = BusLink()
        bus.ready.store(true, ordering: .relaxed)
        bus.modulesHealthy.store(true, ordering: .relaxed)
        let loop = SafetyLoop(
            timings: SafetyLoopTests.timings, input: SimulatedEStopInput(),
            outputs: SafetyOutputLines(motionEnable: SimulatedOutputLine()), bus: bus)
        var now = MonotonicClock.now()
        for _ in 0..<900 {
            now += 1_000_000
            loop.runCycle(now: now)
        }
        #expect(loop.liveness.judge(now: now).alive)
        for _ in 0..<200 {
            now += 1_000_000
            loop.runCycle(now: now)
        }
        let verdict = loop.liveness.judge(now: now)
        #expect(loop.snapshot.read().machine.activeCauses.contains(.busThreadDead))
        #expect(!verdict.safetyLoopStalled && verdict.busThreadDead)
        #expect(verdict.problems == ["bus_thread_dead"])

        bus.heartbeat.wrappingAdd(1, ordering: .relaxed)
        now += 1_000_000
        loop.runCycle(now: now)
        #expect(loop.liveness.judge(now: now).alive)
    }
}

@Suite("systemd watchdog pinger")
struct WatchdogPingerTests {
    @Test("WATCHDOG=1 is due only after READY, while the safety loop cycles, and while the async side looked in within its grace")
    func pingsOnlyWhenEverythingIsAlive() {
        let loop = SafetyLoopTests.makeLoop(input: SimulatedEStopInput(), motionEnable: SimulatedOutputLine())
        let pinger = WatchdogPinger(
            notifier: SystemdNotifier(environment: [:]), liveness: loop.liveness, periodNs: 150_000_000)
        let start = MonotonicClock.now()
        loop.runCycle(now: start)
        pinger.asyncSideLooked(at: start)
        #expect(!pinger.shouldPing(now: start), "before READY=1")
        pinger.ready.store(true, ordering: .relaxed)
        #expect(pinger.shouldPing(now: start))
        // The safety loop stands still past max_stall_ms: no ping, whatever the async side does.
        let stalled = start + loop.timings.maxStallNs + 1
        pinger.asyncSideLooked(at: stalled)
        #expect(!pinger.shouldPing(now: stalled))
        // It cycles again, but the async side has not looked in for longer than its grace: no ping.
        let later = start + WatchdogPinger.asyncGraceNs + 1
        loop.runCycle(now: later)
        pinger.asyncSideLooked(at: start)
        #expect(!pinger.shouldPing(now: later))
        pinger.asyncSideLooked(at: later)
        #expect(pinger.shouldPing(now: later))
    }
}

@Suite("Cycle schedule")
struct CycleScheduleTests {
    @Test("late wake-ups keep the grid; an overrun re-anchors at the wake-up, so missed cycles are not replayed in a burst")
    func reanchorsOnOverrun() {
        let ms: UInt64 = 1_000_000
        var schedule = CycleSchedule(start: 100 * ms, period: ms)
        #expect(schedule.deadline == 101 * ms)
        #expect(schedule.woke(at: 101 * ms) == (0, false))
        #expect(schedule.deadline == 102 * ms)
        // 0.4 ms late: not an overrun, and the next deadline stays on the grid.
        let late = schedule.woke(at: 102 * ms + 400_000)
        #expect(late == (400_000, false))
        #expect(schedule.deadline == 103 * ms)
        // Woken 50 ms late (a stall): one overrun, and the next deadline is one period after the wake-up.
        let stalled = schedule.woke(at: 153 * ms + 250_000)
        #expect(stalled == (50 * ms + 250_000, true))
        #expect(schedule.deadline == 154 * ms + 250_000)
        // The cycles after it are on time on the new grid: no burst of 50 late ones.
        for k in 0..<5 as Range<UInt64> {
            #expect(schedule.woke(at: 154 * ms + 250_000 + k * ms) == (0, false))
        }
        // Exactly one period late is an overrun too.
        let deadline = schedule.deadline
        #expect(schedule.woke(at: deadline + ms).overrun)
    }
}
