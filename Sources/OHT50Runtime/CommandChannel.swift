import OHT50Core
import Synchronization

/// The non-RT side of the command and reply rings: any number of tasks send commands; sends are
/// serialised here so the ring keeps a single producer, and replies are matched to senders by id.
/// It also remembers who sent each recent command, so events can name their source.
public final class CommandChannel: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        /// The command ring was full: the safety thread is not keeping up.
        case ringFull
        /// No reply within the bound; the command may still take effect.
        case timedOut
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

    private let commands: SPSCRing<SafetyCommand>
    private let replies: SPSCRing<CommandReply>
    private let state = Mutex(State())

    public init(loop: SafetyLoop) {
        commands = loop.commands
        replies = loop.replies
    }

    /// Sends a command and waits (bounded, 100 ms by default) for the safety thread's reply.
    /// - Parameter source: who asked, e.g. "http 127.0.0.1:51234 request 7f3a…"; never a secret.
    public func send(_ kind: SafetyCommand.Kind, source: String, timeout: Duration = .milliseconds(100)) async throws(Failure)
        -> CommandReply
    {
        let id: UInt32? = state.withLock { s in
            s.nextID = s.nextID == UInt32.max ? 1 : s.nextID + 1
            guard commands.push(SafetyCommand(id: s.nextID, kind: kind)) else { return nil }
            s.sources[s.nextID] = source
            s.sourceOrder.append(s.nextID)
            if s.sourceOrder.count > Self.sourcesKept {
                s.sources.removeValue(forKey: s.sourceOrder.removeFirst())
            }
            return s.nextID
        }
        guard let id else { throw .ringFull }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let reply: CommandReply? = state.withLock { s in
                while let r = replies.pop() {
                    if s.abandoned.remove(r.id) == nil { s.arrived[r.id] = r }
                }
                return s.arrived.removeValue(forKey: id)
            }
            if let reply { return reply }
            if ContinuousClock.now >= deadline {
                state.withLock { _ = $0.abandoned.insert(id) }
                throw .timedOut
            }
            try? await Task.sleep(for: .microseconds(250))
        }
    }

    /// Who sent command `id`, if it is recent enough to be remembered.
    public func source(of id: UInt32) -> String? {
        state.withLock { $0.sources[id] }
    }
}
