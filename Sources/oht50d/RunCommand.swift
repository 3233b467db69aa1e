import ArgumentParser
import Dispatch
import FoundationEssentials
import Hummingbird
import Logging
import Metrics
import OHT50API
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50Store
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon (the default subcommand).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Run on the simulated vehicle: E-stop and motion-enable are files under <data-dir>/sim.")
    var simulate = false

    @Option(help: ArgumentHelp("Data directory (storage.data_dir); with --simulate the default is ./.oht50.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("HTTP bind address (http.bind).", valueName: "addr"))
    var bind: String?

    @Option(help: ArgumentHelp("HTTP port (http.port); 0 picks a free one.", valueName: "n"))
    var httpPort: String?

    @Option(
        help: ArgumentHelp(
            "Control socket (http.control_socket); with --simulate the default is <data-dir>/control.sock.", valueName: "path"))
    var controlSocket: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, journal: environment["JOURNAL_STREAM"] != nil) }
        let logger = Logger(label: "oht50d")
        var (loaded, config, token) = try startup(environment: environment, logger: logger)
        // Before the hardware: a second daemon must not touch the vehicle nor take the first one's socket.
        do {
            try DaemonLock.acquire(dataDir: config.storage.dataDir)
            try ControlSocket.prepare(config.http.controlSocket)
        } catch {
            logger.error("\(error)")
            throw ExitStatus.hardwareMissing
        }
        defer { unlink(config.http.controlSocket) }
        let tls = try Self.tlsConfiguration(config.http, logger: logger)
        let (vehicle, waited) = try await Self.openWaitingForDevices(
            &config, simulate: simulate, notifier: SystemdNotifier(environment: environment), logger: logger)
        Self.restoreLatches(vehicle.loop, dataDir: config.storage.dataDir, logger: logger)
        let realtime = try RealtimeStart(vehicle, cpu: config.cpu, logger: logger)
        Self.keepForSafeOff(config, logger: logger)
        _ = vehicle.powerLED?.set(true)
        defer { vehicle.stop() }

        let journal = openJournal(config: config, scheduling: realtime.scheduling, waited: waited, logger: logger)
        let signals =
            (simulate ? Self.simulatedStalls(vehicle, logger: logger) : [])
            + [reloadOnSIGHUP(running: loaded, environment: environment, journal: journal, logger: logger)]
        defer { for signal in signals { signal.cancel() } }
        let registry = Self.bootstrapMetrics()
        // The fleet's Prometheus alerts before the certificate runs out (OHT50CertificateExpiresSoon).
        if let tls { MetricFamily.tlsCertificateExpiryTimestampSeconds.gauge().record(Double(tls.notValidAfter)) }
        let history = openHistory(config, vehicle: vehicle, logger: logger)
        let pump = EventPump(loop: vehicle.loop, recorder: journal, bus: vehicle.bus, logger: logger)
        let info = realtime.daemonInfo(config: config, simulate: simulate)
        let hosts = HostAllowlist(configured: config.http.allowedHosts)
        logger.info("Host names answered (http.allowed_hosts): \(hosts.described.joined(separator: ", "))")
        var bearer = BearerToken(token)
        bearer?.refusedInClearFromNetwork = tls == nil && !config.http.allowPlainToken
        let api = SafetyAPI(
            loop: vehicle.loop.view, bus: vehicle.bus?.view, token: bearer, resetMinIntervalMs: config.http.resetMinIntervalMs,
            info: info, journal: journal, history: history, registry: registry, hosts: hosts, logger: logger)
        // Shut down in reverse: the RT threads first (outputs off), then HTTP, then the writers drain,
        // and last the watchdog service says STOPPING=1.
        var services: [any Service] = [
            WatchdogService(
                notifier: SystemdNotifier(environment: environment), loop: vehicle.loop, environment: environment, logger: logger),
            pump,
        ]
        if let bus = vehicle.bus, let history { services.append(TelemetrySampler(bus: bus, recorder: history)) }
        services += [
            try Self.httpApplication(api, http: config.http, tls: tls?.configuration, networkLED: vehicle.networkLED, logger: logger),
            ControlSocket.application(api, path: config.http.controlSocket, logger: logger),
            RealtimeThreadsService(loop: vehicle.loop, bus: vehicle.bus),
        ]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logStarted(config, realtime: realtime, logger: logger)
        do {
            try await group.run()
        } catch {
            vehicle.stop()
            pump.drain()
            logger.error("stopping after a failure: \(error)")
            throw ExitCode.failure
        }
        pump.drain()
        journal.append(
            time: WallTime.iso8601(Date()), monotonicNs: MonotonicClock.now(), kind: .stop, detail: "SIGTERM/SIGINT: motion-enable off")
        logger.notice("oht50d stopped: motion-enable off")
    }
}
