import FoundationEssentials
import OHT50Core
import OHT50IO
import ServiceLifecycle

/// Once a second, hands every module's latest values to the telemetry history; once a minute, prunes it.
public struct TelemetrySampler: Service {
    private let bus: BusLoop
    private let recorder: any TelemetryRecorder

    public init(bus: BusLoop, recorder: any TelemetryRecorder) {
        self.bus = bus
        self.recorder = recorder
    }

    public func run() async {
        var seconds = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = MonotonicClock.now()
            let unixMs = Int64(Date().timeIntervalSince1970 * 1000)
            for module in bus.modules {
                let reading = module.reading.read()
                // Only fresh readings: a module that stopped answering leaves a gap, not repeated values.
                guard reading.at != 0, now - min(now, reading.at) < 2_000_000_000 else { continue }
                recorder.record(
                    address: module.settings.address, type: module.settings.type, values: module.map.decode(reading.registers),
                    unixMs: unixMs - Int64((now - min(now, reading.at)) / 1_000_000))
            }
            if seconds % 60 == 0 { recorder.prune(nowUnixMs: unixMs) }
            seconds += 1
            // Woken by a graceful shutdown: a stop must not wait out the second.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
