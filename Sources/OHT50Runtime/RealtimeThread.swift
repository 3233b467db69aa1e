#if canImport(Glibc)
import Glibc
#endif
import OHT50IO

/// A pthread at SCHED_FIFO `priority`, or SCHED_OTHER when the kernel refuses (EPERM): the daemon
/// never refuses to start for lack of RT rights, it reports `"rt": false` instead.
///
/// Its stack is prefaulted by `mlockall(MCL_FUTURE)`, which the daemon calls before creating it.
public final class RealtimeThread: @unchecked Sendable {
    private var thread = pthread_t()
    public let scheduling: SchedulingResult
    private var joined = false

    public init(name: String, priority: Int32, stackBytes: Int = 512 * 1024, body: @escaping @Sendable () -> Void)
        throws(SystemCallError)
    {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
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
            throw SystemCallError(call: "pthread_create", subject: name, errno: result)
        }
    }

    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

private func realtimeThreadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
    body.body()
    return nil
}
