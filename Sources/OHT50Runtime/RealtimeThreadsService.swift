import ServiceLifecycle

/// Ties the safety and bus threads to the service group: on graceful shutdown (SIGTERM/SIGINT) it stops
/// the safety loop, which runs a last `shutdown` cycle and turns every output off, then the bus thread,
/// which writes stop to every drive. Put it last in the group so it
/// is the first to stop.
public struct RealtimeThreadsService: Service {
    private let loop: SafetyLoop
    private let bus: BusLoop?

    public init(loop: SafetyLoop, bus: BusLoop?) {
        self.loop = loop
        self.bus = bus
    }

    /// Motion-enable off first (the safety thread's last cycle), then the drives stopped over the bus.
    public func run() async {
        try? await gracefulShutdown()
        loop.stop()
        bus?.stop()
    }
}
