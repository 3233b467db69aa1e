import Logging
import OHT50Core
import OHT50IO
import ServiceLifecycle
import Synchronization

/// systemd's view of the daemon: READY=1 after the first healthy safety cycle and bus pass (the state
/// has left `init`); STATUS= with the safety state; STOPPING=1 once everything else has stopped (put it
/// first in the service group, it stops last). WATCHDOG=1 comes from `WatchdogPinger`, a thread of its
/// own, every quarter of `WATCHDOG_USEC` while `Liveness` says both RT threads are alive (what `/health`
/// says too) and this service has looked in within `WatchdogPinger.asyncGraceNs`: a stalled loop gets
/// the daemon killed within `WatchdogSec=` however busy the async side is, and a hung async side within
/// that grace.
public struct WatchdogService: Service {
    private let notifier: SystemdNotifier
    private let loop: SafetyLoop
    private let interval: Duration
    private let pingsEnabled: Bool
    private let logger: Logger

    public init(notifier: SystemdNotifier, loop: SafetyLoop, environment: [String: String], logger: Logger) {
        self.notifier = notifier
        self.loop = loop
        self.logger = logger
        let usec = environment["WATCHDOG_USEC"].flatMap { UInt64($0) } ?? 0
        pingsEnabled = usec > 0 && notifier.socketPath != nil
        watchdogNs = usec * 1_000
        // The liveness check that logs a stall; 500 ms at most.
        interval = usec > 0 ? .microseconds(min(usec / 2, 500_000)) : .milliseconds(500)
    }

    private let watchdogNs: UInt64

    public func run() async {
        let pinger = pingsEnabled ? startPinger() : nil
        defer { pinger?.stop() }
        var ready = false
        var lastState: SafetyState?
        var reportedStall = false
        // The state is looked at whenever the safety thread changed something (`SafetyLoop.changes`), so
        // READY=1 and STATUS= follow it at once (systemd arms the watchdog only after READY=1: a READY a
        // whole interval late left a daemon that hung right after start to TimeoutStartSec); liveness is
        // judged once per interval.
        var nextCheck = ContinuousClock.now.advanced(by: interval)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            pinger?.asyncSideLooked()
            let seen = loop.changes.generation
            let state = loop.snapshot.read().machine.state
            if !ready && state != .initializing {
                ready = true
                pinger?.ready.store(true, ordering: .releasing)
                notifier.notify("READY=1\nSTATUS=safety state \(state.name)")
                logger.info("systemd: READY=1", metadata: ["state": "\(state.name)"])
            } else if ready && state != lastState {
                notifier.notify("STATUS=safety state \(state.name)")
            }
            lastState = state
            // A graceful shutdown wakes it: the RT threads are stopped on purpose then, not stalled.
            let changes = loop.changes
            let until = nextCheck
            await cancelWhenGracefulShutdown { await changes.wait(since: seen, until: until) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            guard ContinuousClock.now >= nextCheck else { continue }
            nextCheck = ContinuousClock.now.advanced(by: interval)
            let liveness = loop.liveness.judge()
            if liveness.alive {
                reportedStall = false
            } else if !reportedStall {
                reportedStall = true
                logger.error(
                    "an RT thread stopped advancing: systemd watchdog pings withheld",
                    metadata: ["problems": "\(liveness.problems.joined(separator: ","))"])
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopped: motion-enable off")
    }
}

extension WatchdogService {
    /// The pinger's thread: SCHED_FIFO just above the async side (it must not wait behind a burst of
    /// HTTP work, nor ever delay the RT threads), on the async side's CPUs (it inherits them).
    static let pingerPriority: Int32 = 20

    private func startPinger() -> WatchdogPinger? {
        let pinger = WatchdogPinger(notifier: notifier, liveness: loop.liveness, periodNs: watchdogNs / 4)
        do {
            try pinger.start(priority: Self.pingerPriority)
            return pinger
        } catch {
            logger.error("systemd watchdog: the pinger thread did not start, systemd will restart the daemon: \(error)")
            return nil
        }
    }
}

/// Sends WATCHDOG=1 from a thread of its own every `periodNs` (a quarter of `WatchdogSec=`), only when
/// READY=1 was sent, `Liveness` says the RT threads are alive, and the async side looked in within
/// `asyncGraceNs`. A daemon stopped whole (SIGSTOP, a hang of the process) sends nothing: systemd kills
/// it after `WatchdogSec=` and `safe-off` runs.
final class WatchdogPinger: Sendable {
    /// How long the async side may go without looking in before pings stop (its checks come every
    /// 500 ms at most; a second of HTTP load delays them by far less).
    static let asyncGraceNs: UInt64 = 5_000_000_000

    let ready = Atomic<Bool>(false)
    private let asyncLookedAt = Atomic<UInt64>(MonotonicClock.now())
    private let notifier: SystemdNotifier
    private let liveness: Liveness
    private let periodNs: UInt64
    private let thread = CyclicThread(name: "oht50-watchdog")

    init(notifier: SystemdNotifier, liveness: Liveness, periodNs: UInt64) {
        self.notifier = notifier
        self.liveness = liveness
        self.periodNs = max(periodNs, 10_000_000)
    }

    func start(priority: Int32) throws(SystemCallError) {
        try thread.start(priority: priority, cpus: nil, stackBytes: 128 * 1024) { [self] in run() }
    }

    func asyncSideLooked(at now: UInt64 = MonotonicClock.now()) { asyncLookedAt.store(now, ordering: .releasing) }

    /// Ends the thread and waits for it (at most one period).
    func stop() { thread.stop() }

    /// Whether a ping is due now: the three conditions above.
    func shouldPing(now: UInt64) -> Bool {
        let looked = asyncLookedAt.load(ordering: .acquiring)
        return ready.load(ordering: .acquiring) && liveness.judge(now: now).alive && (now < looked || now - looked <= Self.asyncGraceNs)
    }

    private func run() {
        var next = MonotonicClock.now()
        while !thread.stopRequested {
            next += periodNs
            MonotonicClock.sleep(until: next)
            let now = MonotonicClock.now()
            // A wake-up far behind (the process was stopped) starts the schedule again from now.
            if now > next + periodNs { next = now }
            if shouldPing(now: now) { notifier.notify("WATCHDOG=1") }
        }
    }
}
