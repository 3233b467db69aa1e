import OHT50Core

/// The simulator's runtime commands, one per line (stdin of `oht50-sim`):
///
///     offline ADDR on|off     stop answering / answer again
///     delay ADDR MS           answer MS milliseconds late (0 = on time)
///     crc ADDR N              corrupt the CRC of every Nth reply (0 = never)
///     exception ADDR CODE     answer every request with exception CODE (0 = normal answers)
///     alarm ADDR BITS         power: alarm bits at 0x0008; motor: error register of channel 1
///     junk ADDR N             send N junk bytes before each reply
///     writes ADDR MODE        applied (normal) · ignored (answered, not applied) · unanswered
///     refuse ADDR A-B|off     answer writes touching registers A..B with exception 2, applying none
///     coast ADDR on|off       a drive whose actual speed does not fall when it is stopped
///     sensor ADDR dead|ok     a drive whose actual speed reads 0 while its motor turns (a dead speed sensor)
///     clear ADDR              remove every fault and alarm
///     status                  modules, faults and frame counts
public enum FaultCommand {
    public static let help = """
        commands: offline ADDR on|off · delay ADDR MS · crc ADDR N · exception ADDR CODE · alarm ADDR BITS · \
        junk ADDR N · writes ADDR applied|ignored|unanswered · refuse ADDR A-B|off · coast ADDR on|off · sensor ADDR dead|ok · clear ADDR · status · help
        """

    /// Applies one command line; returns the answer to print ("ok …" or "error: …").
    public static func apply(_ line: String, to bus: SimulatedBus) -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "" }
        if verb == "help" { return help }
        if verb == "status" { return status(bus) }
        guard words.count >= 2, let address = parse(words[1]).flatMap({ UInt8(exactly: $0) }) else {
            return "error: \(verb) needs a module address; \(help)"
        }
        let value = words.count >= 3 ? words[2] : ""
        let number = parse(value)
        let result: String? = bus.withModule(address) { module in
            switch verb {
            case "offline" where value == "on" || value == "off": module.faults.offline = value == "on"
            case "delay" where number != nil: module.faults.delayMs = number!
            case "crc" where number != nil: module.faults.corruptCRCEvery = number!
            case "exception" where number != nil && (number == 0 || ModbusException(rawValue: UInt8(truncatingIfNeeded: number!)) != nil):
                module.faults.exception = number == 0 ? nil : UInt8(number!)
            case "alarm" where number != nil: module.setAlarm(UInt16(truncatingIfNeeded: number!))
            case "junk" where number != nil: module.faults.junkBytes = number!
            case "writes" where ModuleFaults.WriteFault(rawValue: value) != nil:
                module.faults.writes = ModuleFaults.WriteFault(rawValue: value)!
            case "coast" where value == "on" || value == "off": module.faults.coasting = value == "on"
            case "sensor" where value == "dead" || value == "ok": module.faults.deadSpeedSensor = value == "dead"
            case "refuse" where value == "off": module.faults.refusedWrites = nil
            case "refuse" where registerRange(value) != nil: module.faults.refusedWrites = registerRange(value)
            case "clear":
                module.faults = ModuleFaults()
                module.setAlarm(0)
            default: return "error: cannot understand \"\(line)\"; \(help)"
            }
            return "ok \(line)"
        }
        return result ?? "error: no module at address \(address); modules: \(bus.addresses.map(String.init).joined(separator: ", "))"
    }

    static func status(_ bus: SimulatedBus) -> String {
        var lines = bus.addresses.compactMap { address in
            bus.withModule(address) { m in
                let f = m.faults
                let refused = f.refusedWrites.map { "0x\(String($0.lowerBound, radix: 16))-0x\(String($0.upperBound, radix: 16))" }
                return "module \(m.address) \(m.type.rawValue): offline=\(f.offline) delay_ms=\(f.delayMs) crc_every=\(f.corruptCRCEvery) "
                    + "exception=\(f.exception.map(String.init) ?? "none") junk=\(f.junkBytes) writes=\(f.writes.rawValue) "
                    + "refused=\(refused ?? "none") coasting=\(f.coasting) speed_sensor=\(f.deadSpeedSensor ? "dead" : "ok")"
            }
        }
        let counts = bus.frameCounts.withLock { $0 }
        lines.append("frames: requests=\(counts.requests) answered=\(counts.answered) ignored=\(counts.ignored)")
        return lines.joined(separator: "\n")
    }

    /// "A-B" with each bound decimal or 0x-hex, A ≤ B.
    static func registerRange(_ text: String) -> ClosedRange<UInt16>? {
        let bounds = text.split(separator: "-").map(String.init)
        guard bounds.count == 2, let a = parse(bounds[0]).flatMap({ UInt16(exactly: $0) }),
            let b = parse(bounds[1]).flatMap({ UInt16(exactly: $0) }), a <= b
        else { return nil }
        return a...b
    }

    static func parse(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }
}
