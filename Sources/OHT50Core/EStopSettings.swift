/// `estop.*`: the E-stop input. Vehicle default: sysfs GPIO 59 = gpiochip1 line 27, active-low, one
/// channel. Two channels (`estop.channels`, each its own line and polarity, and `estop.discrepancy_ms`)
/// for a button with two contacts: the fields below are then the first channel, `second` the other.
public struct EStopSettings: Sendable, Equatable {
    public var backend = LineBackend.sysfs
    public var chip = "gpiochip1"
    public var line = 27
    public var sysfsPath = "/sys/class/gpio/gpio59/value"
    /// Active-low: 1 = released, 0 = pressed.
    public var activeLow = true
    /// The second channel of a two-channel E-stop; `nil` for one channel.
    public var second: InputLineSettings?
    /// How long two channels may disagree before it is a wiring or contact fault (`estop_discrepancy`).
    public var discrepancyMs = 100

    public init() {}

    public static let discrepancyRange = 10...1_000

    /// The first channel as an input line.
    public var first: InputLineSettings {
        get { InputLineSettings(backend: backend, chip: chip, line: line, sysfsPath: sysfsPath, activeLow: activeLow) }
        set {
            backend = newValue.backend
            chip = newValue.chip ?? chip
            line = newValue.line ?? line
            sysfsPath = newValue.sysfsPath ?? sysfsPath
            activeLow = newValue.activeLow
        }
    }

    /// Every channel, first first.
    public var channels: [InputLineSettings] { [first] + (second.map { [$0] } ?? []) }

    /// The configuration key of channel `index` (0-based): `estop` for one channel, `estop.channels[N]`.
    public func key(ofChannel index: Int) -> String { second == nil ? "estop" : "estop.channels[\(index)]" }

    static func decode(_ m: inout ConfigMapping) throws -> EStopSettings {
        var s = EStopSettings()
        if m.has("channels"), let channels = m.node("channels") {
            s.discrepancyMs = try m.int("discrepancy_ms", default: s.discrepancyMs, range: discrepancyRange, unit: " ms")
            try m.rejectUnknownKeys()
            return try decodeChannels(channels, into: s, parentOrigin: m.origin)
        }
        s.backend = try m.lineBackend("backend", default: s.backend)
        s.chip = try m.string("chip", default: s.chip)
        s.line = try m.int("line", default: s.line, range: 0...1023)
        s.sysfsPath = try m.string("sysfs_path", default: s.sysfsPath)
        s.activeLow = try m.bool("active_low", default: s.activeLow)
        _ = m.node("channels")
        if let node = m.node("discrepancy_ms") {
            throw ConfigError(
                origin: node.origin, key: "estop.discrepancy_ms", value: nil, problem: "needs two channels",
                allowed: "estop.channels with two inputs, or no discrepancy_ms")
        }
        try m.rejectUnknownKeys()
        return s
    }

    private static let channelsShape =
        "a list of one or two inputs, each {backend, chip, line, active_low} or {backend: sysfs, sysfs_path, active_low}"

    private static func decodeChannels(_ node: ConfigNode, into settings: EStopSettings, parentOrigin: ConfigOrigin) throws -> EStopSettings
    {
        guard case .sequence(let items, let o) = node else {
            throw ConfigError(origin: node.origin, key: "estop.channels", value: nil, problem: "is not a list", allowed: channelsShape)
        }
        guard (1...2).contains(items.count) else {
            throw ConfigError(
                origin: o, key: "estop.channels", value: "\(items.count) inputs", problem: "must hold one or two inputs",
                allowed: channelsShape)
        }
        var s = settings
        var lines: [InputLineSettings] = []
        for (index, item) in items.enumerated() {
            var m = try ConfigMapping(item, path: "estop.channels[\(index)]", parentOrigin: o)
            let line = try InputLineSettings.decode(&m, activeLowDefault: true)
            if let other = lines.first(where: { $0.backend == line.backend && $0.location == line.location }) {
                throw ConfigError(
                    origin: m.origin, key: m.path, value: line.location,
                    problem: "is the same line as the other channel (\(other.location))",
                    allowed: "a second contact on its own input line")
            }
            lines.append(line)
        }
        s.first = lines[0]
        s.second = lines.count > 1 ? lines[1] : nil
        return s
    }
}
