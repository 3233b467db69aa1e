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

extension RunCommand {
    /// On the simulated vehicle, `kill -USR1 <pid>` stalls the safety loop for 2 s: health answers 503
    /// meanwhile, and the loop trips with cause `stall` when it resumes. `kill -USR2 <pid>` stops the bus
    /// thread for 2 s: health answers 503 once it counts as dead (1 s), and the loop trips with cause
    /// `bus_thread_dead`.
    static func simulatedStalls(_ vehicle: VehicleWiring, logger: Logger) -> [any DispatchSourceSignal] {
        var targets: [(Int32, String, (UInt32) -> Void)] = [(SIGUSR1, "the safety loop stops cycling", vehicle.loop.thread.injectStall)]
        if let bus = vehicle.bus { targets.append((SIGUSR2, "the bus thread stops", bus.thread.injectStall)) }
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
    func reloadOnSIGHUP(running: FirmwareConfig, environment: [String: String], journal: EventJournal?, logger: Logger)
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
                let sections = ignored.joined(separator: ", ")
                logger.warning("reload: these sections changed but need a restart (systemctl restart oht50-firmware): \(sections)")
            }
            if changed.isEmpty { detail += "; nothing changed" }
            logger.notice("configuration reloaded \(detail)")
            journal?.append(time: WallTime.iso8601(Date()), monotonicNs: MonotonicClock.now(), kind: .configReloaded, detail: detail)
        }
        source.resume()
        return source
    }

}
