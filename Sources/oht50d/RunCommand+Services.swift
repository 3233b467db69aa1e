import ArgumentParser
import Dispatch
import FoundationEssentials
import Hummingbird
import HummingbirdTLS
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

extension RunCommand {
    /// The event store; storage problems are reported and never stop the daemon.
    /// `waited`: what the start waited for (`startup.device_wait_ms`), said in the start event.
    func openJournal(config: FirmwareConfig, scheduling: SchedulingResult, waited: String?, logger: Logger) -> EventJournal {
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
        journal.append(
            time: wall, monotonicNs: mono, kind: .start,
            detail: "oht50d \(FirmwareVersion.current), \(scheduling.policy)" + (waited.map { ", \($0)" } ?? ""))
        journal.append(time: wall, monotonicNs: mono, kind: .configLoaded, detail: options.config ?? "built-in defaults")
        return journal
    }

    /// The telemetry history, when there is a bus to sample; its problems are reported, never fatal.
    /// A restart must not forget a latched discrepancy or contactor-feedback fault: what the event log shows
    /// latched since the last accepted reset is latched again before the first cycle, and said.
    static func restoreLatches(_ loop: SafetyLoop, dataDir: String, logger: Logger) {
        guard FileManager.default.fileExists(atPath: dataDir + "/" + EventStore.fileName) else { return }
        let latches: (discrepancy: Int64?, feedback: (fault: String, id: Int64)?)
        do {
            latches = try EventStore.latchesSinceLastReset(dataDir: dataDir)
        } catch {
            logger.warning("could not read the event log for latches kept across a restart: \(error)")
            return
        }
        let fault = latches.feedback.flatMap { ContactorMonitor.Fault(name: $0.fault) } ?? .none
        loop.restoreLatches(discrepancy: latches.discrepancy != nil, contactorFault: fault)
        if let id = latches.discrepancy, loop.secondInput != nil {
            let message = "estop_discrepancy latched before this start (event \(id), no reset since): press the E-stop and release it so "
            logger.notice("\(message)both channels open, then close together")
        }
        if let feedback = latches.feedback, fault != .none, loop.feedback != nil {
            let message = "contactor feedback fault \(feedback.fault) latched before this start (event \(feedback.id), no reset since)"
            logger.notice("\(message): check the relay, then reset with --acknowledge contactor_feedback")
        }
    }

    func openHistory(_ config: FirmwareConfig, vehicle: VehicleWiring, logger: Logger) -> TelemetryHistory? {
        guard vehicle.bus != nil else { return nil }
        do {
            return try TelemetryHistory(dataDir: config.storage.dataDir, retentionDays: config.storage.telemetryRetentionDays)
        } catch {
            logger.error("telemetry history unavailable: \(error)")
            return nil
        }
    }

    /// Prometheus behind swift-metrics, for `/metrics`.
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var metricsFactory = PrometheusMetricsFactory(registry: registry)
        // HTTP request durations: DESIGN's /health target is 2 ms, so the buckets start well below it.
        metricsFactory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(metricsFactory)
        return registry
    }

    /// `http.tls` loaded and checked (exit 78 naming the key and file), and a warning when the token would
    /// travel in clear text on the network.
    static func tlsConfiguration(_ http: HTTPSettings, logger: Logger) throws -> HTTPSecurity.Checked? {
        guard let settings = http.tls else {
            if let exposure = http.plainHTTPExposure { logger.warning(Logger.Message(stringLiteral: exposure)) }
            return nil
        }
        do {
            return try HTTPSecurity.prepare(settings, logger: logger)
        } catch {
            logger.error("configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
    }

    /// The :8081 endpoint (HTTPS with `tls`): the API's router with the connection limits; the network LED
    /// goes on once it listens.
    static func httpApplication(
        _ api: SafetyAPI, http: HTTPSettings, tls: TLSConfiguration?, networkLED: (any OutputLine)?, logger: Logger
    ) throws -> some Service {
        let bindAddress = http.bind
        return Application(
            router: api.router(),
            server: try tls.map { try .tls(HTTPLimits.server, tlsConfiguration: $0) } ?? HTTPLimits.server,
            configuration: .init(address: .hostname(bindAddress, port: http.port), availableConnectionsDelegate: HTTPLimits.connections),
            onServerRunning: { channel in
                logger.notice(
                    "HTTP listening",
                    metadata: [
                        "address": "\(bindAddress)", "port": "\(channel.localAddress?.port ?? -1)",
                        "scheme": "\(tls == nil ? "http" : "https")",
                    ])
                _ = networkLED?.set(true)
            },
            logger: logger)
    }

    func logStarted(_ config: FirmwareConfig, realtime: RealtimeStart, logger: Logger) {
        logger.notice(
            "oht50d \(FirmwareVersion.current) started",
            metadata: [
                "state": "init", "cycle_ms": "\(config.safety.cycleMs)", "policy": "\(realtime.scheduling.policy)",
                "data_dir": "\(config.storage.dataDir)", "simulate": "\(simulate)",
                "modules": "\(config.modules.map { "\($0.type.rawValue)@\($0.address)" }.joined(separator: ","))",
                "bus_policy": "\(realtime.busScheduling?.policy ?? "none")",
            ])
    }

    /// What `safe-off` falls back to when the file no longer loads; a failure to keep it is only a warning.
    static func keepForSafeOff(_ config: FirmwareConfig, logger: Logger) {
        do {
            try LastStartedConfig.save(config, dataDir: config.storage.dataDir)
        } catch {
            logger.warning("could not keep this configuration for safe-off's fallback: \(error)")
        }
    }
}
