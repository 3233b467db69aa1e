import Logging
import OHT50Core
import OHT50IO

/// The two halves of `oht50d safe-off`, in the order they run: outputs, then drives. Each returns what
/// did not end safe, one sentence per output or drive; an empty list means safe.
enum VehicleSafeOff {
    /// Motion-enable first, then the heartbeat and the LEDs: each opened on its own (one missing LED
    /// does not keep motion-enable on), written 0 and read back.
    static func outputsOff(_ outputs: OutputSettings, logger: Logger) -> [String] {
        var lines: [(key: String, settings: OutputLineSettings)] = [("outputs.motion_enable", outputs.motionEnable)]
        if let heartbeat = outputs.heartbeat { lines.append(("outputs.heartbeat", heartbeat)) }
        for (name, led) in outputs.leds.all { if let led { lines.append(("outputs.leds.\(name)", led)) } }
        var failures: [String] = []
        for (key, settings) in lines {
            let line: any OutputLine
            do {
                line = try LineFactory.output(settings, role: key)
            } catch {
                failures.append("\(key) cannot be opened: \(error)")
                continue
            }
            let written = line.set(false)
            switch (written, line.readBack()) {
            case (true, false?): logger.notice("\(key) (\(line.description)): off, reads 0")
            case (_, true?): failures.append("\(key) (\(line.description)) still reads 1")
            case (let written, nil): failures.append("\(key) (\(line.description)): \(written ? "written 0 but" : "cannot be written and") cannot be read back")
            case (false, false?): logger.warning("\(key) (\(line.description)): the write failed, but it reads 0")
            }
        }
        return failures
    }

    /// Enable 0, speed 0 and direction idle on both channels of every configured drive, then both
    /// channels read back. A drive gets one retry: at most two response timeouts when it is silent.
    static func drivesStopped(_ config: FirmwareConfig, logger: Logger) -> [String] {
        let drives = config.modules.filter { $0.type == .motor }
        guard !drives.isEmpty else { return [] }
        let master: ModbusMaster
        do {
            if let (host, port) = BusSettings.tcpEndpoint(config.bus.port) {
                master = try ModbusMaster(host: host, port: port, responseTimeoutMs: config.bus.responseTimeoutMs)
            } else {
                master = try ModbusMaster(settings: config.bus)
            }
        } catch {
            return drives.map { "drive motor@\($0.address) not stopped: bus \(config.bus.port): \(error)" }
        }
        var failures: [String] = []
        for drive in drives {
            let address = UInt8(drive.address)
            var problem = stop(master, address)
            if problem != nil { problem = stop(master, address) }
            if let problem {
                failures.append("drive motor@\(drive.address) not confirmed stopped: \(problem)")
            } else {
                logger.notice("drive motor@\(drive.address) on \(config.bus.port): stopped, both channels read back enable 0 and speed 0")
            }
        }
        return failures
    }

    /// nil when the drive confirmed the stop; otherwise what went wrong.
    private static func stop(_ master: ModbusMaster, _ address: UInt8) -> String? {
        var readBack = [UInt16](repeating: 0, count: 2)
        for (channel, base) in RegisterMap.motorChannels.enumerated() {
            let enable = base + RegisterMap.motorEnableOffset
            let steps: [(String, () -> TransactionOutcome)] = [
                ("writing enable 0 and speed 0", { master.write(address: address, start: enable, values: [0, 0]) }),
                ("writing direction idle", { master.write(address: address, start: base + RegisterMap.motorDirectionOffset, values: [0]) }),
                ("reading them back", { readBack.withUnsafeMutableBufferPointer { master.read(address: address, start: enable, count: 2, into: $0.baseAddress!) } }),
            ]
            for (what, transaction) in steps {
                let outcome = transaction()
                guard outcome == .ok else { return "channel \(channel + 1), \(what): \(outcome.className)" }
            }
            guard readBack == [0, 0] else { return "channel \(channel + 1) reads enable \(readBack[0]) speed \(readBack[1])" }
        }
        return nil
    }
}
