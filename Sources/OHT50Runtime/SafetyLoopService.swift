import ServiceLifecycle

/// Ties the safety thread to the service group: on graceful shutdown (SIGTERM/SIGINT) it stops the
/// loop, which runs a last `shutdown` cycle and turns every output off. Put it last in the group so it
/// is the first to stop.
public struct SafetyLoopService: Service {
    private let loop: SafetyLoop

    public init(loop: SafetyLoop) { self.loop = loop }

    public func run() async {
        try? await gracefulShutdown()
        loop.stop()
    }
}
