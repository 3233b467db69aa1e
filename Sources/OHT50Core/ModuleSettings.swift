/// One entry of `modules:`.
public struct ModuleSettings: Sendable, Equatable {
    public var address: Int
    public var type: ModuleType
    public var pollMs: Int
    public var required: Bool
    /// A drive's own host watchdog (motor register 0x0D), written at start: the drive stops itself
    /// when the daemon's control writes stop for this long. 0 = off.
    public var hostWatchdogMs: Int
    /// A drive's time from its stop (commands read back 0) to standstill (actual speed 0x06/0x16 reads 0):
    /// longer is `drive_not_stopped`, and a reset waits for standstill. Motors only.
    public var stopWithinMs: Int

    public static let defaultStopWithinMs = 2_000

    public init(
        address: Int, type: ModuleType, pollMs: Int? = nil, required: Bool? = nil, hostWatchdogMs: Int = 0,
        stopWithinMs: Int = defaultStopWithinMs
    ) {
        self.address = address
        self.type = type
        self.pollMs = pollMs ?? type.defaultPollMs
        self.required = required ?? type.requiredByDefault
        self.hostWatchdogMs = hostWatchdogMs
        self.stopWithinMs = stopWithinMs
    }

    static let listShape = "a list of {address, type, poll_ms, required, host_watchdog_ms, stop_within_ms}"

    /// The longest a transaction can take on `bus` when the module does not answer: the response
    /// timeout and the quiet time before the next request (3.5 characters of 11 bits, at least 1.75 ms),
    /// in whole milliseconds.
    public static func silentTransactionMs(on bus: BusSettings) -> Int {
        let gapUs = max(1_750, (35 * 11 * 1_000_000 / 10 + bus.baud - 1) / bus.baud)
        return bus.responseTimeoutMs + (gapUs + 999) / 1_000
    }

    /// The longest gap between two control writes to this drive when every other module times out: its
    /// poll period, one silent transaction of every module in the pass, and the drive's own second one
    /// (a write beside its poll). `host_watchdog_ms` must be at least three of these.
    public func worstWriteGapMs(among modules: [ModuleSettings], on bus: BusSettings) -> Int {
        pollMs + (modules.count + 1) * Self.silentTransactionMs(on: bus)
    }

    static func decodeList(_ node: ConfigNode?, parentOrigin: ConfigOrigin, bus: BusSettings = BusSettings()) throws -> [ModuleSettings] {
        let items: [ConfigNode]
        switch node {
        case nil, .null: return []
        case .sequence(let list, _): items = list
        case .scalar(let value, let o):
            throw ConfigError(
                origin: o, key: "modules", value: value, problem: "is not a list",
                allowed: Self.listShape)
        case .mapping(_, let o):
            throw ConfigError(
                origin: o, key: "modules", value: nil, problem: "is not a list",
                allowed: Self.listShape)
        }
        var modules: [ModuleSettings] = []
        var watchdogOrigins: [(index: Int, origin: ConfigOrigin, key: String)] = []
        for (index, item) in items.enumerated() {
            var m = try ConfigMapping(item, path: "modules[\(index)]", parentOrigin: parentOrigin)
            guard let (text, o) = try m.scalar("address", allowed: "1 to 247") else {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("address"), value: nil, problem: "is missing",
                    allowed: "a Modbus address from 1 to 247")
            }
            guard let address = Int(text), (1...247).contains(address) else {
                throw ConfigError(
                    origin: o, key: m.qualified("address"), value: text, problem: "is not a unicast Modbus address", allowed: "1 to 247")
            }
            if modules.contains(where: { $0.address == address }) {
                throw ConfigError(
                    origin: o, key: m.qualified("address"), value: text, problem: "is used by another module", allowed: "each address once")
            }
            let types = ModuleType.allCases.map(\.rawValue).joined(separator: ", ")
            guard let (typeText, typeOrigin) = try m.scalar("type", allowed: "one of \(types)") else {
                throw ConfigError(origin: m.origin, key: m.qualified("type"), value: nil, problem: "is missing", allowed: "one of \(types)")
            }
            guard let type = ModuleType(rawValue: typeText) else {
                throw ConfigError(
                    origin: typeOrigin, key: m.qualified("type"), value: typeText, problem: "is not a known module type",
                    allowed: "one of \(types)")
            }
            let pollMs = try m.int("poll_ms", default: type.defaultPollMs, range: 5...60_000, unit: " ms")
            let required = try m.bool("required", default: type.requiredByDefault)
            let watchdog = try m.int("host_watchdog_ms", default: 0, range: 0...60_000, unit: " ms")
            if watchdog != 0 && type != .motor {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("host_watchdog_ms"), value: "\(watchdog)",
                    problem: "is a drive's register (0x0D); a \(type.rawValue) module has none", allowed: "0, or type motor")
            }
            let stopWithin = try m.int("stop_within_ms", default: Self.defaultStopWithinMs, range: 50...60_000, unit: " ms")
            if stopWithin != Self.defaultStopWithinMs && type != .motor {
                throw ConfigError(
                    origin: m.origin, key: m.qualified("stop_within_ms"), value: "\(stopWithin)",
                    problem: "is a drive's time to standstill; a \(type.rawValue) module has none", allowed: "type motor")
            }
            try m.rejectUnknownKeys()
            modules.append(
                ModuleSettings(
                    address: address, type: type, pollMs: pollMs, required: required, hostWatchdogMs: watchdog, stopWithinMs: stopWithin))
            if watchdog != 0 { watchdogOrigins.append((index, m.origin, m.qualified("host_watchdog_ms"))) }
        }
        // Only once every module is known: the gap depends on all of them and on the bus.
        for (index, origin, key) in watchdogOrigins {
            let drive = modules[index]
            let gap = drive.worstWriteGapMs(among: modules, on: bus)
            if drive.hostWatchdogMs < 3 * gap {
                throw ConfigError(
                    origin: origin, key: key, value: "\(drive.hostWatchdogMs)",
                    problem:
                        "is shorter than three times the longest gap between two writes to this drive (\(gap) ms: poll_ms "
                        + "\(drive.pollMs) and a timed-out transaction of each of the \(modules.count) modules and one more, at "
                        + "bus.response_timeout_ms \(bus.responseTimeoutMs)): a healthy bus would let the drive stop itself",
                    allowed: "0 (off) or \(3 * gap)–60000")
            }
        }
        return modules
    }
}
