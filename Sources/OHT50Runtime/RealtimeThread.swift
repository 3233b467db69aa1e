internal import CThreadControl
import Dispatch
import OHT50IO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A pthread at SCHED_FIFO `priority`, or SCHED_OTHER when the kernel refuses (EPERM): the daemon
/// never refuses to start for lack of RT rights, it reports `"rt": false` instead. With `cpus`, the
/// thread confines itself to them before its body runs (`cpu.*`); a refusal is reported, not fatal.
///
/// Its stack is its own mapping, populated and locked (`mlock`) before the thread starts, with a guard
/// page below it: the loop never takes a page fault on its stack.
public final class RealtimeThread: @unchecked Sendable {
    private var thread = pthread_t()
    public let scheduling: SchedulingResult
    private var joined = false
    private let stack: UnsafeMutableRawPointer
    private let stackMapping: Int
    /// The kernel's id of the thread and the outcome of its CPU placement, once it has started.
    public let identity: ThreadIdentity

    public init(name: String, priority: Int32, cpus: [Int]? = nil, stackBytes: Int = 512 * 1024, body: @escaping @Sendable () -> Void)
        throws(SystemCallError)
    {
        identity = ThreadIdentity(requested: cpus)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = (stackBytes + page - 1) / page * page
        stackMapping = size + page
        guard let mapping = mmap(nil, stackMapping, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0),
            mapping != MAP_FAILED
        else { throw SystemCallError(call: "mmap", subject: "\(name) stack", errno: errno) }
        stack = mapping
        // The lowest page is the guard; the rest is faulted in and locked now. mlock may be refused
        // (no CAP_IPC_LOCK, RLIMIT_MEMLOCK): then the pages are at least touched.
        mprotect(mapping, page, PROT_NONE)
        if mlock(mapping + page, size) != 0 {
            for offset in stride(from: page, to: stackMapping, by: page) { mapping.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self) }
        }

        let context = Unmanaged.passRetained(ThreadBody(name: name, identity: identity, body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstack(&attributes, mapping + page, size)
        pthread_attr_setinheritsched(&attributes, Int32(PTHREAD_EXPLICIT_SCHED))
        pthread_attr_setschedpolicy(&attributes, SCHED_FIFO)
        var parameter = sched_param(sched_priority: priority)
        pthread_attr_setschedparam(&attributes, &parameter)

        var result = pthread_create(&thread, &attributes, realtimeThreadEntry, context)
        if result == EPERM || result == EINVAL {
            let reason = SystemCallError(call: "pthread_create", subject: "SCHED_FIFO \(priority)", errno: result).description
            pthread_attr_setinheritsched(&attributes, Int32(PTHREAD_INHERIT_SCHED))
            result = pthread_create(&thread, &attributes, realtimeThreadEntry, context)
            scheduling = SchedulingResult(policy: "SCHED_OTHER", priority: 0, realtime: false, fallbackReason: reason)
        } else {
            scheduling = SchedulingResult(policy: "SCHED_FIFO", priority: priority, realtime: true)
        }
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            munmap(mapping, stackMapping)
            throw SystemCallError(call: "pthread_create", subject: name, errno: result)
        }
    }

    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit {
        // The stack may only go once the thread has ended; a thread never joined keeps it.
        if joined { munmap(stack, stackMapping) }
    }
}

/// Which kernel thread a `RealtimeThread` is, and whether it got the CPUs it asked for.
public final class ThreadIdentity: Sendable {
    public let requested: [Int]?
    /// The same as the C helper takes it, made here so the new thread only reads it.
    fileprivate let requestedCPUs: [Int32]?
    private let tidValue = Atomic<Int32>(0)
    private let affinityError = Atomic<Int32>(0)
    private let startedSignal = DispatchSemaphore(value: 0)

    init(requested: [Int]?) {
        self.requested = requested
        requestedCPUs = requested?.map { Int32(truncatingIfNeeded: $0) }
    }

    /// 0 until the thread runs.
    public var tid: Int32 { tidValue.load(ordering: .acquiring) }
    /// The errno of a refused placement (EINVAL: none of the CPUs is allowed here), 0 when it held.
    public var placementError: Int32 { affinityError.load(ordering: .acquiring) }

    /// Waits until the thread has started and placed itself (its `tid` is known): true, or false after
    /// `timeoutNs`.
    public func waitUntilStarted(timeoutNs: UInt64) -> Bool {
        guard tid == 0 else { return true }
        guard startedSignal.wait(timeout: .now() + .nanoseconds(Int(timeoutNs))) == .success else { return tid != 0 }
        startedSignal.signal()  // for whoever waits next
        return true
    }

    /// On the new thread, before its body: a futex wake, nothing that blocks.
    fileprivate func started(placementError: Int32) {
        affinityError.store(placementError, ordering: .releasing)
        tidValue.store(oht50_current_tid(), ordering: .releasing)
        startedSignal.signal()
    }
}

private final class ThreadBody {
    let name: String
    let identity: ThreadIdentity
    let body: @Sendable () -> Void
    init(name: String, identity: ThreadIdentity, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.identity = identity
        self.body = body
    }
}

private func realtimeThreadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
    // Visible in `ps -L -C oht50d`, `top -H` and /proc/PID/task/*/comm.
    _ = oht50_set_current_thread_name(String(body.name.prefix(15)))
    var placementError: Int32 = 0
    if let cpus = body.identity.requestedCPUs {
        placementError = cpus.withUnsafeBufferPointer { oht50_set_affinity(0, $0.baseAddress, Int32($0.count)) }
    }
    body.identity.started(placementError: placementError)
    body.body()
    return nil
}
