import ArgumentParser
import Dispatch
import Foundation
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

    /// SCHED_FIFO priorities (DESIGN "Threads"): the safety thread above the bus thread.
    static let safetyPriority: Int32 = 80
    static let busPriority: Int32 = 70

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let toJournald = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, journal: toJournald) }
        let logger = Logger(label: "oht50d")

        var config: FirmwareConfig
        do {
            config = try loadConfig(environment: environment, logger: logger)
        } catch let error as ConfigError {
            logger.error("configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
        LogfmtLogHandler.apply(config.logLevel)
        let loadedConfig = config

        let token: String?
        do {
            token = try prepareDataDirectory(&config, environment: environment, logger: logger)
        } catch {
            logger.error("data directory \(config.storage.dataDir) is unusable: \(error)")
            throw ExitCode.failure
        }

        let loop: SafetyLoop
        let bus: VehicleBusWiring?
        let powerLED: (any OutputLine)?
        let networkLED: (any OutputLine)?
        do {
            let input = try LineFactory.estopInput(config.estop)
            let leds = config.outputs.leds
            func optional(_ s: OutputLineSettings?, _ role: String) throws(HardwareError) -> (any OutputLine)? {
                guard let s else { return nil }
                return try LineFactory.output(s, role: role)
            }
            let lines = SafetyOutputLines(
                motionEnable: try LineFactory.output(config.outputs.motionEnable, role: "motion-enable output (outputs.motion_enable)"),
                heartbeat: try optional(config.outputs.heartbeat, "heartbeat output (outputs.heartbeat)"),
                errorLED: try optional(leds.error, "error LED (outputs.leds.error)"),
                systemLED: try optional(leds.system, "system LED (outputs.leds.system)"),
                commLED: try optional(leds.comm, "comm LED (outputs.leds.comm)"))
            powerLED = try optional(leds.power, "power LED (outputs.leds.power)")
            networkLED = try optional(leds.network, "network LED (outputs.leds.network)")
            bus = try VehicleBusWiring.make(config: config, simulate: simulate, dataDir: config.storage.dataDir, logger: logger)
            if let bus { config.bus = bus.loop.settings }
            loop = SafetyLoop(timings: SafetyTimings(config.safety), input: input, outputs: lines, bus: bus?.loop.link)
            logger.notice("E-stop input: \(input.description)")
            logger.notice("motion-enable output: \(lines.motionEnable.description)")
        } catch {
            logger.error("hardware missing: \(error)")
            throw ExitStatus.hardwareMissing
        }

        var memoryLocked = true
        do {
            try MemoryLock.lockAll()
            MemoryLock.populateFileMappings()
        } catch {
            memoryLocked = false
            logger.warning("memory is not locked, page faults may delay the safety loop: \(error)")
        }
        var cpuLatency: CPULatencyRequest?
        do {
            cpuLatency = try CPULatencyRequest()
        } catch {
            logger.warning(
                "CPU idle states are not held off, wake-ups of the safety loop include their exit time: \(error)")
        }
        defer { withExtendedLifetime(cpuLatency) {} }
        let startedAt = MonotonicClock.now()
        let (online, isolated) = CPUAffinity.topology()
        let placement = CPUPlacement.plan(config.cpu, online: online, isolated: isolated)
        if !placement.missing.isEmpty {
            logger.warning("cpu: CPUs \(CPUList.format(placement.missing)) are not online here and are left out (online: \(CPUList.format(online)))")
        }
        let scheduling = try loop.start(priority: Self.safetyPriority, cpus: placement.safety)
        if let reason = scheduling.fallbackReason {
            logger.warning("SCHED_FIFO refused, the safety loop runs SCHED_OTHER (health reports rt: false): \(reason)")
        }
        let busScheduling = try bus?.loop.start(priority: Self.busPriority, cpus: placement.bus)
        let asyncProblem = confineAsyncSide(placement, loop: loop, bus: bus?.loop, logger: logger)
        do {
            try LastStartedConfig.save(config, dataDir: config.storage.dataDir)
        } catch {
            logger.warning("could not keep this configuration for safe-off's fallback: \(error)")
        }
        _ = powerLED?.set(true)
        let stallSignals = simulate ? Self.simulatedStalls(loop, bus: bus?.loop, logger: logger) : []
        defer { stallSignals.forEach { $0.cancel() } }
        var reloadSignal: (any DispatchSourceSignal)?
        defer { reloadSignal?.cancel() }
        defer {
            loop.stop()
            bus?.loop.stop()
            _ = powerLED?.set(false)
            _ = networkLED?.set(false)
        }

        let journal = openJournal(config: config, scheduling: scheduling, logger: logger)
        var history: TelemetryHistory?
        if bus != nil {
            do {
                history = try TelemetryHistory(dataDir: config.storage.dataDir, retentionDays: config.storage.telemetryRetentionDays)
            } catch {
                logger.error("telemetry history unavailable: \(error)")
            }
        }
        let registry = PrometheusCollectorRegistry()
        var metricsFactory = PrometheusMetricsFactory(registry: registry)
        // HTTP request durations: DESIGN's /health target is 2 ms, so the buckets start well below it.
        metricsFactory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(metricsFactory)
        let pump = EventPump(loop: loop, recorder: journal, bus: bus?.loop, logger: logger)
        let api = SafetyAPI(
            loop: loop.view, bus: bus?.loop.view, token: BearerToken(token), resetMinIntervalMs: config.http.resetMinIntervalMs,
            info: DaemonInfo(
                startedAt: startedAt, scheduling: scheduling, busScheduling: busScheduling, memoryLocked: memoryLocked,
                cpuLatencyHeld: cpuLatency != nil, config: config, simulate: simulate,
                placement: { [loop, bus] in
                    CPUPlacementReport(
                        plan: placement, online: online, isolated: isolated, safety: loop.thread.identity,
                        bus: bus?.loop.thread.identity, asyncProblem: asyncProblem)
                }),
            journal: journal, history: history, registry: registry, logger: logger)
        reloadSignal = reloadOnSIGHUP(running: loadedConfig, environment: environment, journal: journal, logger: logger)
        let bindAddress = config.http.bind
        let serverLogger = logger
        let app = Application(
            router: api.router(),
            server: HTTPLimits.server,
            configuration: .init(
                address: .hostname(bindAddress, port: config.http.port), availableConnectionsDelegate: HTTPLimits.connections),
            onServerRunning: { channel in
                serverLogger.notice("HTTP listening", metadata: ["address": "\(bindAddress)", "port": "\(channel.localAddress?.port ?? -1)"])
                _ = networkLED?.set(true)
            },
            logger: logger)
        // Shut down in reverse: the RT threads first (outputs off), then HTTP, then the writers drain,
        // and last the watchdog service says STOPPING=1.
        let notifier = SystemdNotifier(environment: environment)
        var services: [any Service] = [
            WatchdogService(notifier: notifier, loop: loop, environment: environment, logger: logger), pump,
        ]
        if let bus, let history { services.append(TelemetrySampler(bus: bus.loop, recorder: history)) }
        services += [app, RealtimeThreadsService(loop: loop, bus: bus?.loop)]
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.notice(
            "oht50d \(FirmwareVersion.current) started",
            metadata: [
                "state": "init", "cycle_ms": "\(config.safety.cycleMs)", "policy": "\(scheduling.policy)",
                "data_dir": "\(config.storage.dataDir)", "simulate": "\(simulate)",
                "modules": "\(config.modules.map { "\($0.type.rawValue)@\($0.address)" }.joined(separator: ","))",
                "bus_policy": "\(busScheduling?.policy ?? "none")",
            ])
        do {
            try await group.run()
        } catch {
            loop.stop()
            bus?.loop.stop()
            pump.drain()
            logger.error("stopping after a failure: \(error)")
            throw ExitCode.failure
        }
        pump.drain()
        journal.append(time: WallTime.iso8601(Date()), monotonicNs: MonotonicClock.now(), kind: .stop, detail: "SIGTERM/SIGINT: motion-enable off")
        logger.notice("oht50d stopped: motion-enable off")
    }

    /// On the simulated vehicle, `kill -USR1 <pid>` stalls the safety loop for 2 s: health answers 503
    /// meanwhile, and the loop trips with cause `stall` when it resumes. `kill -USR2 <pid>` stops the bus
    /// thread for 2 s: health answers 503 once it counts as dead (1 s), and the loop trips with cause
    /// `bus_thread_dead`.
    /// Keeps HTTP, storage and metrics off the RT threads' CPUs (`cpu.async`): every thread of the
    /// process but the two RT threads is confined now, and threads made later inherit it. Waits (1 s at
    /// most) for the RT threads to have placed themselves, so that neither is confined by mistake.
    /// Returns what did not hold, for the reports.
    private func confineAsyncSide(_ placement: CPUPlacement, loop: SafetyLoop, bus: BusLoop?, logger: Logger) -> String? {
        for (name, identity) in [("safety", loop.thread.identity), ("bus", bus?.thread.identity)] {
            if let error = identity?.placementError, error != 0 {
                logger.warning("cpu.\(name): the \(name) thread could not be placed: \(String(cString: strerror(error)))")
            }
        }
        guard let cpus = placement.async else { return nil }
        let identities = [loop.thread.identity, bus?.thread.identity].compactMap { $0 }
        let deadline = MonotonicClock.now() + 1_000_000_000
        while identities.contains(where: { $0.tid == 0 }) && MonotonicClock.now() < deadline { usleep(1_000) }
        guard !identities.contains(where: { $0.tid == 0 }) else {
            logger.warning("cpu.async: the RT threads did not start within 1 s; the async side is left unconfined")
            return "the RT threads did not start in time"
        }
        let refused = CPUAffinity.confineOthers(to: cpus, keep: Set(identities.map(\.tid)))
        guard refused.isEmpty else {
            logger.warning("cpu.async: threads \(refused.joined(separator: ", ")) could not be confined to CPUs \(CPUList.format(cpus))")
            return "refused by threads \(refused.joined(separator: ", "))"
        }
        logger.info(
            "cpu placement (\(placement.basis)): safety thread \(placement.safety.map(CPUList.format) ?? "not pinned"), bus thread \(placement.bus.map(CPUList.format) ?? "not pinned"), async side \(CPUList.format(cpus))")
        return nil
    }

    private static func simulatedStalls(_ loop: SafetyLoop, bus: BusLoop?, logger: Logger) -> [any DispatchSourceSignal] {
        var targets: [(Int32, String, (UInt32) -> Void)] = [(SIGUSR1, "the safety loop stops cycling", loop.thread.injectStall)]
        if let bus { targets.append((SIGUSR2, "the bus thread stops", bus.thread.injectStall)) }
        return targets.map { number, what, inject in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.warning("simulated stall: \(what) for 2000 ms (SIG\(number == SIGUSR1 ? "USR1" : "USR2"))")
                inject(2_000)
            }
            source.resume()
            return source
        }
    }

    /// `systemctl reload oht50-firmware` (SIGHUP): reads the configuration again the way start did
    /// (file, environment, flags). What is safe to change while running (`log.level`) is applied; every
    /// other changed section is named and ignored until a restart. A bad file changes nothing.
    private func reloadOnSIGHUP(running: FirmwareConfig, environment: [String: String], journal: EventJournal?, logger: Logger)
        -> any DispatchSourceSignal
    {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "oht50d.reload"))
        var current = running
        let command = self
        source.setEventHandler {
            let path = command.options.config ?? "the built-in defaults"
            let fresh: FirmwareConfig
            do {
                fresh = try command.loadConfig(environment: environment, logger: nil)
            } catch {
                logger.error("reload rejected, the running configuration is kept: \(error)")
                return
            }
            let changed = current.changedSections(comparedTo: fresh)
            let applied = changed.filter(FirmwareConfig.reloadableSections.contains)
            let ignored = changed.filter { !FirmwareConfig.reloadableSections.contains($0) }
            var detail = "from \(path)"
            if applied.contains("log") {
                let old = current.logLevel
                LogfmtLogHandler.apply(fresh.logLevel)
                current.logLevel = fresh.logLevel
                detail += "; log.level \(old.rawValue) → \(fresh.logLevel.rawValue)"
            }
            if !ignored.isEmpty {
                detail += "; ignored until restart: \(ignored.joined(separator: ", "))"
                logger.warning(
                    "reload: these sections changed but need a restart (systemctl restart oht50-firmware): \(ignored.joined(separator: ", "))")
            }
            if changed.isEmpty { detail += "; nothing changed" }
            logger.notice("configuration reloaded \(detail)")
            journal?.append(time: WallTime.iso8601(Date()), monotonicNs: MonotonicClock.now(), kind: .configReloaded, detail: detail)
        }
        source.resume()
        return source
    }

    /// The event store; storage problems are reported and never stop the daemon.
    private func openJournal(config: FirmwareConfig, scheduling: SchedulingResult, logger: Logger) -> EventJournal {
        let now = { (MonotonicClock.now(), WallTime.iso8601(Date())) }
        let journal = EventJournal(dataDir: config.storage.dataDir)
        if let error = journal.openError {
            logger.error("event store degraded, events are only logged until it opens (retried every 5 s): \(error)")
        } else {
            logger.notice("event store: \(config.storage.dataDir)/\(EventStore.fileName)")
        }
        if let moved = journal.recoveredFrom {
            logger.error("the event store was corrupt: moved aside to \(moved), a new one was started")
            let (mono, wall) = now()
            journal.append(time: wall, monotonicNs: mono, kind: .storageDegraded, detail: "corrupt database moved aside to \(moved)")
        }
        let (mono, wall) = now()
        journal.append(time: wall, monotonicNs: mono, kind: .start, detail: "oht50d \(FirmwareVersion.current), \(scheduling.policy)")
        journal.append(time: wall, monotonicNs: mono, kind: .configLoaded, detail: options.config ?? "built-in defaults")
        return journal
    }

    private func loadConfig(environment: [String: String], logger: Logger?) throws -> FirmwareConfig {
        var flags: [ConfigLoader.FlagOverride] = []
        if let dataDir { flags.append(.init(flag: "--data-dir", key: "storage.data_dir", value: dataDir)) }
        if let bind { flags.append(.init(flag: "--bind", key: "http.bind", value: bind)) }
        if let httpPort { flags.append(.init(flag: "--http-port", key: "http.port", value: httpPort)) }
        let loaded = try ConfigLoader.load(path: options.config, environment: environment, flags: flags)
        logger?.notice("configuration loaded from \(loaded.path ?? "the built-in defaults")")
        for line in loaded.overrides { logger?.info("configuration override: \(line)") }
        var config = loaded.config
        if simulate {
            if dataDir == nil { config.storage.dataDir = "./.oht50" }
            config.modules = SimulatedVehicleBus.modules
        }
        return config
    }

    /// Creates the data directory (and with `--simulate` the simulated vehicle's files); returns the API token.
    private func prepareDataDirectory(_ config: inout FirmwareConfig, environment: [String: String], logger: Logger) throws
        -> String?
    {
        let dataDir = URL(fileURLWithPath: config.storage.dataDir).standardizedFileURL.path
        config.storage.dataDir = dataDir
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        if simulate {
            let estop = try SimulatedVehicleFiles.prepare(in: dataDir)
            config.estop.backend = .sysfs
            config.estop.sysfsPath = estop.estop
            config.estop.activeLow = true
            config.outputs.motionEnable = OutputLineSettings(backend: .sysfs, sysfsPath: estop.motionEnable)
            config.outputs.heartbeat = OutputLineSettings(backend: .sysfs, sysfsPath: estop.heartbeat)
            config.outputs.leds = IndicatorLEDSettings()
            logger.notice("simulated vehicle: E-stop file \(estop.estop) (1 = released; echo 0 > it to press)")
            logger.notice("simulated vehicle: motion-enable file \(estop.motionEnable), heartbeat file \(estop.heartbeat)")
        }
        if let token = environment["OHT50_API_TOKEN"], !token.isEmpty { return token }
        if simulate {
            let path = dataDir + "/api-token"
            let token = try APITokenFile.loadOrCreate(at: path)
            logger.notice("API token (OHT50_API_TOKEN unset) written to \(path)")
            return token
        }
        logger.warning("OHT50_API_TOKEN is not set: every authenticated request (reset, move) is refused with 401")
        return nil
    }
}
