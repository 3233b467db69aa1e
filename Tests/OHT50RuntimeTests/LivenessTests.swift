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
