#if canImport(Glibc)
import Glibc
#endif

/// A plain named pthread that runs `body` and ends with it: for helper loops outside the RT threads
/// (the simulator's bus, its relay, the wake-up watcher). Foundation's `Thread` is not in
/// FoundationEssentials (issue 30).
public enum DetachedThread {
    /// - Parameter name: at most 15 bytes are kept (the kernel's limit), as `ps -L` shows it.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, detachedThreadEntry, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("pthread_create(\(name)) failed: \(String(cString: strerror(result)))")
        }
        pthread_detach(thread)
    }

    fileprivate static func run(_ context: UnsafeMutableRawPointer) {
        let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
        nameCurrentThread(body.name)
        body.run()
    }

    /// The kernel's name of the calling thread, through /proc (what `pthread_setname_np` does; Swift's
    /// Glibc module does not export it).
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private final class Body: Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }
}

private func detachedThreadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    DetachedThread.run(context!)
    return nil
}
