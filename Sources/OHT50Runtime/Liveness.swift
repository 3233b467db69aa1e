import OHT50Core
import OHT50IO

/// Whether the daemon's RT threads are alive, judged one way for everyone who asks: `/health` answers
/// 503 with `problems`, the systemd watchdog withholds `WATCHDOG=1`, and `/metrics` exports
/// `oht50_rt_thread_alive` — from the same verdict, so a 503 and a withheld ping cannot disagree.
/// - The safety thread is stalled when its last cycle is older than `safety.max_stall_ms` (before its
///   first cycle: when it started that long ago).
/// - The bus thread is dead when the safety thread says so: `bus_thread_dead`, its heartbeat still for
///   `SafetyTimings.busDeadNs` (300 ms at the shipped settings), the same judgement that trips the vehicle.
/// - A loop stopped on purpose (the daemon is shutting down) is neither: it is `stopping`.
public struct Liveness: Sendable {
    private let loop: SafetyLoop

    public init(loop: SafetyLoop) { self.loop = loop }

    public struct Verdict: Sendable, Equatable {
        /// Time since the safety thread's last cycle (or since it started, before its first).
        public var lastCycleAgeNs: UInt64
        public var safetyLoopStalled: Bool
        public var busThreadDead: Bool
        /// The safety loop was asked to stop (shutdown): its silence is no fault.
        public var stopping: Bool

        public var alive: Bool { !safetyLoopStalled && !busThreadDead }

        /// The problem codes `/health` lists, empty when alive.
        public var problems: [String] {
            (safetyLoopStalled ? ["safety_loop_stalled"] : []) + (busThreadDead ? ["bus_thread_dead"] : [])
        }
    }

    public func judge(now: UInt64 = MonotonicClock.now()) -> Verdict {
        let last = loop.statistics.lastCycleAt.load(ordering: .relaxed)
        let reference = last == 0 ? loop.startedAt : last
        let age = now > reference ? now - reference : 0
        let stopping = loop.thread.stopRequested
        return Verdict(
            lastCycleAgeNs: age, safetyLoopStalled: !stopping && age > loop.timings.maxStallNs,
            busThreadDead: !stopping && loop.snapshot.read().machine.activeCauses.contains(.busThreadDead), stopping: stopping)
    }
}
