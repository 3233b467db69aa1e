import Logging
import Metrics
import OHT50Core
import OHT50IO
import ServiceLifecycle

/// Drains the safety thread's events ring off the RT thread: each event goes to the log and to the
/// recorder (the event store), with the source of the command that caused it. On shutdown it drains
/// what is left before it returns.
public struct EventPump: Service {
    private let loop: SafetyLoop
    private let logger: Logger
    private let recorder: (any SafetyEventRecorder)?
    private let bus: BusLoop?
    private let window = SampleWindow()

    public init(
        loop: SafetyLoop, recorder: (any SafetyEventRecorder)?, bus: BusLoop? = nil, logger: Logger
    ) {
        self.loop = loop
        self.bus = bus
        self.recorder = recorder
        self.logger = logger
    }

    /// Runs at every wake-up of the safety thread (an event, a reply, a change readers show) and at
    /// least every `idleTick`, never polling faster.
    public func run() async {
        var droppedReported: UInt64 = 0
        for await raised in loop.wakeup.ticks(idleTick: Self.idleTick) {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            drain(announced: raised)
            let dropped = loop.events.dropped
            if dropped > droppedReported {
                logger.error("safety events lost: the events ring was full", metadata: ["lost": "\(dropped - droppedReported)"])
                droppedReported = dropped
            }
        }
        drain()
    }

    /// How often the samples ring is drained when nothing happens (issue 30: the async side sleeps
    /// between events). The ring holds 4,096 cycles — 4.1 s at the fastest cycle, 1 ms — so a second
    /// between drains never fills it, and a trip drains it at once.
    static let idleTick: Duration = .seconds(1)

    /// Logs and records every event waiting in the ring; then, when the safety thread announced
    /// something (`announced`) or an event came, tells whoever waits on the loop's `changes` (command
    /// senders, the status stream, the watchdog service) to look again — not on the idle ticks.
    public func drain(announced: Bool = true) {
        var drained = false
        defer { if announced || drained { loop.changes.notifyAll() } }
        window.append(from: loop.samples)
        while let event = loop.events.pop() {
            drained = true
            let source = event.commandID == 0 ? nil : loop.channel.source(of: event.commandID)
            let wallTime = WallTime.iso8601(monotonic: event.at)
            log(event, source: source)
            recorder?.record(event, source: source, wallTime: wallTime)
            if event.kind == .trip && event.causes != .shutdown, let recorder {
                // The safety thread pushes a cycle's sample before its events: this one is in the ring now.
                window.append(from: loop.samples)
                recorder.record(
                    TripRecording(
                        trip: event, wallTime: wallTime, samples: window.samples(before: event.at, window: TripRecording.windowNs),
                        bus: busSummary()))
            }
        }
    }

    /// The last reading of every module, one line each, for a trip recording.
    private func busSummary() -> [String] {
        guard let bus else { return [] }
        let now = MonotonicClock.now()
        return bus.modules.map { module in
            let reading = module.reading.read()
            let failures = module.counters.consecutiveFailures.load(ordering: .relaxed)
            guard reading.at != 0 else { return "\(module.settings.type.rawValue)@\(module.address) never answered (failures \(failures))" }
            let values = module.map.decode(reading.registers).map { "\($0.name)=\($0.value)\($0.unit)" }.joined(separator: " ")
            return
                "\(module.settings.type.rawValue)@\(module.address) age_ms=\((now - min(now, reading.at)) / 1_000_000) "
                + "failures=\(failures) \(values)"
        }
    }

    /// Counted here, off the RT thread: trips by cause, resets accepted and refused.
    private func count(_ event: SafetyEvent) {
        switch event.kind {
        case .trip:
            for cause in event.causes.names { MetricFamily.tripsTotal.counter([("cause", cause)]).increment() }
        case .resetAccepted:
            MetricFamily.resetsTotal.counter([("outcome", "accepted")]).increment()
        case .resetRefused:
            MetricFamily.resetsTotal.counter([("outcome", "refused")]).increment()
            for reason in RefusalText.codes(event.refusal, causes: event.causes) {
                MetricFamily.resetRefusalsTotal.counter([("reason", reason)]).increment()
            }
        case .leaseExpired:
            MetricFamily.motionLeaseExpiredTotal.counter().increment()
        case .commandDiscarded:
            MetricFamily.commandsDiscardedTotal.counter().increment()
        case .stateChange, .start, .stop, .configLoaded, .configReloaded, .storageDegraded:
            break
        }
    }

    private func log(_ event: SafetyEvent, source: String?) {
        count(event)
        var metadata: Logger.Metadata = [
            "event": "\(event.kind.rawValue)", "from": "\(event.from.name)", "to": "\(event.to.name)",
        ]
        if !event.causes.isEmpty { metadata["causes"] = "\(event.causes.names.joined(separator: ","))" }
        if !event.refusal.isEmpty || event.kind == .resetRefused || event.kind == .commandDiscarded {
            metadata["reasons"] = "\(RefusalText.codes(event.refusal, causes: event.causes).joined(separator: ","))"
        }
        if event.commandID != 0 { metadata["source"] = "\(source ?? "unknown")" }
        if event.estopEdgeAt != 0 {
            metadata["estop_edge_ns"] = "\(event.estopEdgeAt)"
        }
        if let channels = event.estopChannelsDetail { metadata["estop_channels_open"] = "\(channels)" }
        if event.feedbackFault != .none { metadata["feedback"] = "\(event.feedbackFault.name)" }
        switch event.kind {
        case .trip where event.causes == .shutdown:
            logger.notice("safety shutdown: motion-enable off", metadata: metadata)
        case .trip:
            logger.warning("safety trip", metadata: metadata)
        case .stateChange:
            logger.notice("safety state \(event.from.name) → \(event.to.name)", metadata: metadata)
        case .resetAccepted:
            logger.notice("safety reset accepted", metadata: metadata)
        case .resetRefused:
            logger.notice("safety reset refused", metadata: metadata)
        case .leaseExpired:
            logger.notice("motion lease expired: drives stopped", metadata: metadata)
        case .commandDiscarded:
            logger.notice("move discarded unjudged", metadata: metadata)
        case .start, .stop, .configLoaded, .configReloaded, .storageDegraded:
            logger.notice("daemon event from the safety ring", metadata: metadata)  // the safety thread makes none of these
        }
    }
}
