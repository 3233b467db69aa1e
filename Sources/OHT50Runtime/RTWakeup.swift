internal import CThreadControl
import FoundationEssentials
import OHT50Core
import OHT50IO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How the safety thread wakes the async side without blocking: an eventfd it writes 1 to (one
/// non-blocking syscall, no allocation, no lock) when a cycle produced something to read — an event,
/// a reply, a seen stop, a changed state. A plain watcher thread waits on it and hands the async side
/// an `AsyncStream` tick per wake-up, and one at least every `idleTick` (the samples ring is drained
/// then too).
final class RTWakeup: Sendable {
    private let fd: Int32

    init() {
        // EFD_NONBLOCK: a full counter (never, in practice) drops the write instead of blocking the cycle.
        fd = oht50_eventfd()
    }

    deinit { if fd >= 0 { close(fd) } }

    /// RT side.
    @inline(__always)
    func raise() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// For a thread that may block (the bus thread): returns when raised (consuming the raise) or at
    /// `deadline` (monotonic ns), whichever comes first; at once when either has already happened.
    func wait(until deadline: UInt64) {
        let now = MonotonicClock.now()
        _ = oht50_eventfd_wait(fd, deadline > now ? deadline - now : 0)
    }

    /// Ticks `true` at every raise (several raises between two ticks are one tick) and `false` after
    /// `idleTick` without one, from a thread of its own that ends when the stream does. A consumer that
    /// falls behind keeps the newest eight.
    func ticks(idleTick: Duration) -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(8))
        let box = EndFlag()
        continuation.onTermination = { _ in box.end() }
        let fd = self.fd
        let timeoutMs = Int32(idleTick.components.seconds * 1_000 + idleTick.components.attoseconds / 1_000_000_000_000_000)
        DetachedThread.start(name: "oht50-wakeup") { [self] in
            withExtendedLifetime(self) {
                var counter: UInt64 = 0
                while !box.isEnded {
                    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let raised = poll(&ready, 1, timeoutMs) > 0
                    if raised { _ = read(fd, &counter, 8) }
                    continuation.yield(raised)
                }
            }
        }
        return stream
    }
}

/// The watcher thread's stop flag, shared with the stream's termination handler.
private final class EndFlag: Sendable {
    private let ended = Atomic<Bool>(false)
    func end() { ended.store(true, ordering: .releasing) }
    var isEnded: Bool { ended.load(ordering: .acquiring) }
}
