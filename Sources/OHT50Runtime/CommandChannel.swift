import OHT50Core
import OHT50IO
import Synchronization

/// The non-RT side of the command and reply rings: any number of tasks send commands; sends are
/// serialised here so the ring keeps a single producer, and replies are matched to senders by id.
/// It also remembers who sent each recent command, so events can name their source.
///
/// A sender waits the loop's `commandWaitNs` (100 ms). When that runs out it withdraws the command
/// (`CommandClaims`): if the withdrawal wins, the command will never be carried out and the sender
/// says so; if the safety thread took it first, the sender waits for the reply, which that cycle sends.
public final class CommandChannel: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        /// The command ring was full: the safety thread is not keeping up. Nothing was queued.
        case ringFull
        /// No reply within the bound, and the command was withdrawn: it was not and will not be carried out.
        case timedOut
        /// The safety thread took the command but sent no reply within `takenReplyBound`: whether it
        /// took effect is unknown (only a thread frozen mid-cycle does this; the watchdog ends it).
        case takenWithoutReply
    }

    private struct State {
        var nextID: UInt32 = 0
        var arrived: [UInt32: CommandReply] = [:]
        var abandoned: Set<UInt32> = []
        var sources: [UInt32: String] = [:]
        var sourceOrder: [UInt32] = []
    }

    /// Sources kept for events that have not been read yet; far more than the events ring holds.
    private static let sourcesKept = 4_096
    /// How long a sender whose command was taken waits for its reply: one cycle, unless the thread is
    /// frozen; longer than `safety.max_stall_ms` allows, shorter than systemd's watchdog.
    static let takenReplyBound = Duration.seconds(1)

    private let commands: SPSCRing<SafetyCommand>
    private let claims: CommandClaims
    private let replies: SPSCRing<CommandReply>
    private let snapshot: SnapshotCell<SafetySnapshot>
    private let stopSignal: MotionStopSignal
    private let commandWaitNs: UInt64
    /// Notified once replies may have arrived (the event pump, after the safety thread woke it).
    private let changes: ChangeSignal
    private let state = Mutex(State())

    /// Made once, by the `SafetyLoop` whose rings these are: a second channel would be a second producer
    /// on the single-producer command ring.
    init(
        commands: SPSCRing<SafetyCommand>, claims: CommandClaims, replies: SPSCRing<CommandReply>, snapshot: SnapshotCell<SafetySnapshot>,
        stopSignal: MotionStopSignal, commandWaitNs: UInt64, changes: ChangeSignal
    ) {
        self.changes = changes
        self.commands = commands
        self.claims = claims
        self.replies = replies
        self.snapshot = snapshot
        self.stopSignal = stopSignal
        self.commandWaitNs = commandWaitNs
    }

    /// Sends a command and waits (bounded by `safety.commandWaitNs`, 100 ms) for the safety thread's reply.
    /// - Parameter source: who asked, e.g. "http 127.0.0.1:51234 request 7f3a…"; never a secret.
    /// - Parameter acknowledgingFeedback: a reset that acknowledges a latched contactor-feedback fault.
    public func send(_ kind: SafetyCommand.Kind, source: String, acknowledgingFeedback: Bool = false) async throws(Failure)
        -> CommandReply
    {
        let tripGeneration = snapshot.read().machine.tripGeneration
        let id: UInt32? = state.withLock { s in
            s.nextID = s.nextID == UInt32.max ? 1 : s.nextID + 1
            let id = s.nextID
            claims.register(id)
            let command = SafetyCommand(
                id: id, kind: kind, queuedAt: MonotonicClock.now(), tripGeneration: tripGeneration,
                stopRequests: stopSignal.requests, acknowledgesFeedback: acknowledgingFeedback && kind == .reset)
            guard commands.push(command) else { return nil }
            s.sources[id] = source
            s.sourceOrder.append(id)
            if s.sourceOrder.count > Self.sourcesKept {
                s.sources.removeValue(forKey: s.sourceOrder.removeFirst())
            }
            return id
        }
        guard let id else { throw .ringFull }
        var deadline = ContinuousClock.now.advanced(by: .nanoseconds(Int64(commandWaitNs)))
        var taken = false
        while true {
            let seen = changes.generation
            if let reply = collect(id) { return reply }
            if ContinuousClock.now >= deadline {
                if taken {
                    state.withLock { _ = $0.abandoned.insert(id) }
                    throw .takenWithoutReply
                }
                if claims.withdraw(id) {
                    state.withLock { _ = $0.abandoned.insert(id) }
                    throw .timedOut
                }
                taken = true
                deadline = ContinuousClock.now.advanced(by: Self.takenReplyBound)
                continue
            }
            await changes.wait(since: seen, until: deadline)
        }
    }

    /// Moves every reply waiting in the ring to its sender's slot and returns command `id`'s, if it came.
    private func collect(_ id: UInt32) -> CommandReply? {
        state.withLock { s in
            while let r = replies.pop() {
                if s.abandoned.remove(r.id) == nil { s.arrived[r.id] = r }
            }
            return s.arrived.removeValue(forKey: id)
        }
    }

    /// Asks for a stop (never queued, never refused) and waits, bounded by the command wait, until the
    /// safety thread has seen it. Returns whether it was seen; the bus thread stops the drives either way.
    public func stop() async -> Bool {
        let request = stopSignal.request()
        let deadline = ContinuousClock.now.advanced(by: .nanoseconds(Int64(commandWaitNs)))
        while true {
            let seen = changes.generation
            // Wrapping: seen is at or past this request.
            if snapshot.read().machine.stopRequestsSeen &- request < UInt32.max / 2 { return true }
            if ContinuousClock.now >= deadline { return false }
            await changes.wait(since: seen, until: deadline)
        }
    }

    /// Who sent command `id`, if it is recent enough to be remembered.
    public func source(of id: UInt32) -> String? {
        state.withLock { $0.sources[id] }
    }
}
