import Logging
import OHT50Core
import ServiceLifecycle

/// systemd's view of the daemon: READY=1 after the first healthy safety cycle and bus pass (the state
/// has left `init`); WATCHDOG=1 every half `WATCHDOG_USEC`, but only while `Liveness` says both RT
/// threads are alive (what `/health` says too), so a stalled loop gets the service restarted; STATUS= with the safety state; STOPPING=1
/// once
/// everything else has stopped (put it first in the service group, it stops last).
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
        pingsEnabled = usec > 0
        // Half the watchdog period, as sd_watchdog_enabled(3) advises; 500 ms when there is none.
        interval = usec > 0 ? .microseconds(usec / 2) : .milliseconds(500)
    }

    public func run() async {
        var ready = false
        var lastState: SafetyState?
        var reportedStall = false
        // The state is looked at whenever the safety thread changed something (`SafetyLoop.changes`), so
        // READY=1 and STATUS= follow it at once (systemd arms the watchdog only after READY=1: a READY a
        // whole interval late left a daemon that hung right after start to TimeoutStartSec); liveness is
        // judged once per interval.
        var nextCheck = ContinuousClock.now.advanced(by: interval)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let seen = loop.changes.generation
            let state = loop.snapshot.read().machine.state
            if !ready && state != .initializing {
                ready = true
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
            if liveness.alive && ready && pingsEnabled {
                notifier.notify("WATCHDOG=1")
                reportedStall = false
            } else if !liveness.alive && !reportedStall {
                reportedStall = true
                logger.error(
                    "an RT thread stopped advancing: systemd watchdog pings withheld",
                    metadata: ["problems": "\(liveness.problems.joined(separator: ","))"])
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopped: motion-enable off")
    }
}
