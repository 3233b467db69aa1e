import Hummingbird
import Logging
import OHT50Core
import OHT50Runtime
import OHT50Store
import Prometheus

/// The :8081 endpoint's routes, wired to the safety loop. The daemon serves its router.
public struct SafetyAPI: Sendable {
    private let health: HealthController
    private let safety: SafetyController
    private let telemetry: TelemetryController
    private let motion: MotionController
    private let metrics: MetricsCollector
    private let events: EventsController
    private let trips: TripsController
    private let stream: StreamController
    private let hosts: HostAllowlist
    private let token: BearerToken?
    private let logger: Logger

    /// Every route and its methods, as openapi.yaml writes them (a test holds the router, this table and
    /// the spec equal), so a wrong method gets 405 with `Allow` rather than 404.
    static let routes: [String: [HTTPRequest.Method]] = [
        "/api/v1/modules/{address}": [.get],
        "/health": [.get], "/health/detailed": [.get],
        "/api/v1/safety/status": [.get], "/api/v1/safety/reset": [.post],
        "/api/v1/telemetry/current": [.get], "/api/v1/modules": [.get],
        "/api/v1/motion/move": [.post], "/api/v1/motion/stop": [.post], "/api/v1/system/status": [.get],
        "/metrics": [.get], "/api/v1/events": [.get], "/api/v1/trips": [.get], "/api/v1/trips/{id}": [.get],
        "/api/v1/telemetry/history": [.get], "/api/v1/stream": [.get],
        "/": [.get], "/ui/app.css": [.get], "/ui/app.js": [.get],
    ]

    public init(
        loop: SafetyLoopView, bus: BusLoopView?, token: BearerToken?, resetMinIntervalMs: Int, info: DaemonInfo,
        journal: EventJournal? = nil, history: TelemetryHistory? = nil,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), hosts: HostAllowlist = HostAllowlist(configured: nil),
        logger: Logger
    ) {
        events = EventsController(journal: journal)
        trips = TripsController(journal: journal)
        stream = StreamController(loop: loop, journal: journal)
        metrics = MetricsCollector(registry: registry, loop: loop, bus: bus, journal: journal)
        health = HealthController(loop: loop, info: info, journal: journal)
        safety = SafetyController(
            loop: loop, channel: loop.channel, token: token, limiter: ResetRateLimiter(intervalMs: resetMinIntervalMs),
            journal: journal, logger: logger)
        telemetry = TelemetryController(loop: loop, bus: bus, history: history)
        motion = MotionController(loop: loop, channel: loop.channel, token: token, logger: logger)
        self.hosts = hosts
        self.token = token
        self.logger = logger
    }

    /// - Parameter controlSocket: the router of the local control socket, where the kernel's record of the
    ///   peer (`SO_PEERCRED`: root, the daemon's user or group) stands in for the token.
    public func router(controlSocket: Bool = false) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // Outermost, so the error answers RequestIDMiddleware makes carry the headers too.
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(RequestIDMiddleware(logger: logger))
        if controlSocket { router.middlewares.add(ControlSocketMiddleware()) }
        router.middlewares.add(HostAllowlistMiddleware(allowlist: hosts))
        if let token { router.middlewares.add(ClearTextTokenMiddleware(token: token, logger: logger)) }
        router.middlewares.add(MethodNotAllowedMiddleware(routes: Self.routes))
        health.register(on: router)
        safety.register(on: router)
        telemetry.register(on: router)
        motion.register(on: router)
        events.register(on: router)
        trips.register(on: router)
        stream.register(on: router)
        StatusPageController().register(on: router)
        router.get("/metrics") { [metrics] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.scrape())))
        }
        return router
    }
}
