import OHT50IO
import Synchronization

/// The life of one of the daemon's RT threads (DESIGN "Threads"), the same for the safety and the bus
/// thread: started as a `RealtimeThread` (SCHED_FIFO, its CPUs, a locked stack), asked to stop and
/// joined, and — in the simulated vehicle only — stalled on purpose. The loop body owns its schedule;
/// it asks `stopRequested` and calls `serveStall()` once per pass, both allocation-free.
public final class CyclicThread: @unchecked Sendable {
    public let name: String
    private let stopRequest = Atomic<Bool>(false)
    /// Simulation only (`--simulate`, SIGUSR1/SIGUSR2): milliseconds the thread should stop, to show what
    /// a stalled thread looks like to health, the watchdog and the state machine.
    private let stallRequestMs = Atomic<UInt32>(0)
    private var thread: RealtimeThread?
    /// The running thread's kernel id and placement (nil before `start`).
    public private(set) var identity: ThreadIdentity?

    init(name: String) { self.name = name }

    /// Starts `body` on its own thread at SCHED_FIFO `priority` (SCHED_OTHER when refused), confined
    /// to `cpus`.
    @discardableResult
    func start(priority: Int32, cpus: [Int]?, stackBytes: Int = 512 * 1024, body: @escaping @Sendable () -> Void) throws(SystemCallError)
        -> SchedulingResult
    {
        precondition(thread == nil, "\(name) started twice")
        let thread = try RealtimeThread(name: name, priority: priority, cpus: cpus, stackBytes: stackBytes, body: body)
        self.thread = thread
        identity = thread.identity
        return thread.scheduling
    }

    /// Whether `stop` has been asked for. The body ends its work its own way when it sees it.
    @inline(__always)
    var stopRequested: Bool { stopRequest.load(ordering: .acquiring) }

    /// Asks the body to end without waiting (a body asleep on something of its own is then woken by
    /// its owner before `stop`).
    func requestStop() { stopRequest.store(true, ordering: .releasing) }

    /// Asks the body to end and waits until it has; at once when the thread never started.
    func stop() {
        requestStop()
        thread?.join()
        thread = nil
    }

    /// Makes the thread stop cycling for `milliseconds`, once. For the simulated vehicle.
    public func injectStall(milliseconds: UInt32) { stallRequestMs.store(milliseconds, ordering: .releasing) }

    /// Sleeps out a requested stall, if there is one.
    @inline(__always)
    func serveStall() {
        guard stallRequestMs.load(ordering: .relaxed) != 0 else { return }
        let stall = UInt64(stallRequestMs.exchange(0, ordering: .acquiring))
        MonotonicClock.sleep(until: MonotonicClock.now() &+ stall * 1_000_000)
    }
}
