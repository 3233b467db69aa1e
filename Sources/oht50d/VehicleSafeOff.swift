import Logging
import OHT50Core
import OHT50IO

/// The two halves of `oht50d safe-off`, in the order they run: outputs, then drives. Each returns what
/// did not end safe, one sentence per output or drive; an empty list means safe.
///
/// What is turned off is the union of what the configurations name: the one the dead daemon started
/// with and the file as it is now. A file edited after the start (another motion-enable line, port or
/// drive address) must not leave the line or the drive the daemon really drove untouched.
enum VehicleSafeOff {
    /// Every output line the configurations name, each once: every motion-enable first, then the
    /// heartbeats and the LEDs.
    static func outputLines(of configs: [FirmwareConfig]) -> [VehicleHardware.Output] {
        let all = configs.map(VehicleHardware.init).flatMap(\.outputs)
        let lines = all.filter { $0.role == .motionEnable } + all.filter { $0.role != .motionEnable }
        var unique: [VehicleHardware.Output] = []
        for line in lines where !unique.contains(where: { $0.settings == line.settings }) { unique.append(line) }
        return unique
    }

    /// Every drive the configurations name, grouped by the port it is on: each (port, address) once, with
    /// every distinct set of bus settings the configurations give that port — the last one's (the dead
    /// daemon's, in `SafeOffCommand`'s order: the current file, then the last started) first. A drive is
    /// tried with each until one confirms its stop: a file edited after the start (another baud rate or
    /// parity) must not leave the drive the daemon really spoke to unstopped.
    static func drives(of configs: [FirmwareConfig]) -> [(buses: [BusSettings], addresses: [Int])] {
        var ports: [(buses: [BusSettings], addresses: [Int])] = []
        for config in configs.reversed().map(VehicleHardware.init) {
            let addresses = config.drives.map(\.address)
            guard !addresses.isEmpty else { continue }
            if let index = ports.firstIndex(where: { $0.buses[0].port == config.bus.port }) {
                ports[index].addresses += addresses.filter { !ports[index].addresses.contains($0) }
                if !ports[index].buses.contains(config.bus) { ports[index].buses.append(config.bus) }
            } else {
                ports.append(([config.bus], addresses))
            }
        }
        return ports
    }

    /// The drives at `addresses` stopped with the first settings of `buses`, the ones that did not confirm
    /// it with the next, and so on; what is left unconfirmed after the last is a failure.
    static func drivesStopped(on buses: [BusSettings], addresses: [Int], logger: Logger) -> [String] {
        var remaining = addresses
        var failures: [Int: String] = [:]
        for bus in buses where !remaining.isEmpty {
            failures = drivesStopped(on: bus, addresses: remaining, logger: logger)
            remaining = remaining.filter { failures[$0] != nil }
            if !remaining.isEmpty && bus != buses.last {
                logger.notice(
                    "drives \(remaining.map { "motor@\($0)" }.joined(separator: ", ")) not confirmed with \(bus.port)'s settings of one configuration: trying the other's"
                )
            }
        }
        return remaining.compactMap { failures[$0] }
    }

    /// Each line opened on its own (one missing LED does not keep motion-enable on), written 0 and read back.
    static func outputsOff(_ lines: [VehicleHardware.Output], logger: Logger) -> [String] {
        var failures: [String] = []
        for output in lines {
            let key = output.role.key
            let line: any OutputLine
            do {
                line = try VehicleOpener.output(output)
            } catch {
                failures.append("cannot be opened: \(error)")
                continue
            }
            let written = line.set(false)
            switch (written, line.readBack()) {
            case (true, false?): logger.notice("\(key) (\(line.description)): off, reads 0")
            case (_, true?): failures.append("\(key) (\(line.description)) still reads 1")
            case (let written, nil):
                failures.append("\(key) (\(line.description)): \(written ? "written 0 but" : "cannot be written and") cannot be read back")
            case (false, false?): logger.warning("\(key) (\(line.description)): the write failed, but it reads 0")
            }
        }
        return failures
    }

    /// Every contactor feedback the configurations name, each once.
    static func feedbacks(of configs: [FirmwareConfig]) -> [ContactorFeedbackSettings] {
        var unique: [ContactorFeedbackSettings] = []
        for case let feedback? in configs.map(\.outputs.motionEnableFeedback) where !unique.contains(where: { $0.line == feedback.line }) {
            unique.append(feedback)
        }
        return unique
    }

    /// With motion-enable off, each relay's feedback must show it dropped out within `drop_out_ms`
    /// (read every millisecond until then); one that still shows pulled in is a welded contact: motion
    /// power may still be on, and safe-off says so.
    static func contactorsDroppedOut(_ feedbacks: [ContactorFeedbackSettings], logger: Logger) -> [String] {
        var failures: [String] = []
        for feedback in feedbacks {
            let key = VehicleHardware.InputRole.contactorFeedback.key
            let input: any EStopInput
            do {
                input = try VehicleOpener.input(feedback.line, role: VehicleHardware.InputRole.contactorFeedback.description)
            } catch {
                failures.append("cannot be opened: \(error)")
                continue
            }
            let deadline = MonotonicClock.now() + UInt64(feedback.dropOutMs) * 1_000_000
            var reading = ContactorMonitor.Reading(input.sample())
            while reading != .droppedOut && MonotonicClock.now() < deadline {
                MonotonicClock.sleep(until: MonotonicClock.now() + 1_000_000)
                reading = ContactorMonitor.Reading(input.sample())
            }
            switch reading {
            case .droppedOut: logger.notice("\(key) (\(input.description)): the relay dropped out")
            case .pulledIn:
                failures.append(
                    "\(key) (\(input.description)) still shows the motion-enable relay pulled in \(feedback.dropOutMs) ms after it was turned "
                        + "off: a welded contact, motion power may still be on")
            case .unreadable: failures.append("\(key) (\(input.description)) cannot be read: the relay's state is unknown")
            }
        }
        return failures
    }

    /// `DriveStopRecipe` on every channel of every drive on `bus`, all of them first even when one
    /// fails, then once more on the channels that did not read back stopped.
    static func drivesStopped(on bus: BusSettings, addresses: [Int], logger: Logger) -> [Int: String] {
        let master: ModbusMaster
        do {
            master = try VehicleOpener.bus(bus)
        } catch {
            return Dictionary(uniqueKeysWithValues: addresses.map { ($0, "drive motor@\($0) not stopped: bus \(bus.port): \(error)") })
        }
        let channels = addresses.flatMap { address in RegisterMap.motorChannels.indices.map { (address: address, channel: $0) } }
        var problems: [Int: [(channel: Int, problem: String)]] = [:]
        for (address, channel) in channels {
            if let problem = stop(master, UInt8(address), channel: channel) { problems[address, default: []].append((channel, problem)) }
        }
        var failures: [Int: String] = [:]
        for address in addresses {
            guard let first = problems[address] else {
                logger.notice("drive motor@\(address) on \(bus.port): stopped, both channels read back enable 0 and speed 0")
                continue
            }
            let retried = first.compactMap { stop(master, UInt8(address), channel: $0.channel) }
            if retried.isEmpty {
                let firstProblems = first.map(\.problem).joined(separator: "; ")
                logger.notice("drive motor@\(address) on \(bus.port): stopped on the second attempt (first: \(firstProblems))")
            } else {
                failures[address] = "drive motor@\(address) not confirmed stopped: \(retried.joined(separator: "; "))"
            }
        }
        return failures
    }

    /// nil when the channel read back stopped; otherwise what went wrong, naming the channel.
    private static func stop(_ master: ModbusMaster, _ address: UInt8, channel: Int) -> String? {
        var firstFailure: TransactionOutcome?
        func note(_ outcome: TransactionOutcome) -> Bool {
            if outcome != .ok && firstFailure == nil { firstFailure = outcome }
            return outcome == .ok
        }
        var readBack = [UInt16](repeating: 0, count: 2)
        let outcome = DriveStopRecipe.stop(
            channel: RegisterMap.motorChannels[channel],
            writeZeros: { start, count in note(master.write(address: address, start: start, values: [UInt16](repeating: 0, count: count)))
            },
            readEnableAndSpeed: { start in
                let ok = note(
                    readBack.withUnsafeMutableBufferPointer { master.read(address: address, start: start, count: 2, into: $0.baseAddress!) }
                )
                return ok ? (readBack[0], readBack[1]) : nil
            })
        switch outcome {
        case .stopped: return nil
        case .unconfirmed(let step): return "channel \(channel + 1), \(step.description): \(firstFailure?.className ?? "failed")"
        case .stillRunning(let enable, let speed): return "channel \(channel + 1) reads enable \(enable) speed \(speed)"
        }
    }
}
