/// One input line other than the single-channel E-stop's: a channel of a two-channel E-stop
/// (`estop.channels[N]`) or the contactor feedback (`outputs.motion_enable.feedback`).
/// `{backend: gpiod, chip, line, active_low}` or `{backend: sysfs, sysfs_path, active_low}`.
public struct InputLineSettings: Sendable, Equatable {
    public var backend: LineBackend
    public var chip: String?
    public var line: Int?
    public var sysfsPath: String?
    /// E-stop channel: 0 on the line means the contact is open (pressed). Feedback: 0 on the line means
    /// the relay's NC contact is closed (dropped out).
    public var activeLow: Bool

    public init(backend: LineBackend, chip: String? = nil, line: Int? = nil, sysfsPath: String? = nil, activeLow: Bool) {
        self.backend = backend
        self.chip = chip
        self.line = line
        self.sysfsPath = sysfsPath
        self.activeLow = activeLow
    }

    /// For messages and status: "gpiod gpiochip1 line 27" or "sysfs /sys/class/gpio/gpio59/value".
    public var location: String {
        switch backend {
        case .gpiod: "gpiod \(chip ?? "?") line \(line ?? -1)"
        case .sysfs: "sysfs \(sysfsPath ?? "?")"
        case .simulated: "simulated"
        }
    }

    /// Reads the line's keys from `m` and rejects any other key the caller has not already asked for.
    static func decode(_ m: inout ConfigMapping, activeLowDefault: Bool) throws -> InputLineSettings {
        let backend = try m.lineBackend("backend", default: .sysfs)
        var s = InputLineSettings(backend: backend, activeLow: activeLowDefault)
        s.chip = try m.optionalString("chip")
        s.line = try m.optionalInt("line", range: 0...1023)
        s.sysfsPath = try m.optionalString("sysfs_path")
        s.activeLow = try m.bool("active_low", default: activeLowDefault)
        try m.rejectUnknownKeys()
        try m.requireLine(backend, chip: s.chip, line: s.line, sysfsPath: s.sysfsPath, example: "/sys/class/gpio/gpio60/value")
        return s
    }
}

/// `outputs.motion_enable.feedback`: the motion-enable relay's mechanically linked NC contact, read back
/// (EDM). It reads 1 when the NC contact is closed — the relay dropped out — unless `active_low`. After
/// the output turns on the relay must show pulled in within `pull_in_ms`; after it turns off, dropped
/// out within `drop_out_ms`; otherwise `output_fault` (a welded or dead contactor).
public struct ContactorFeedbackSettings: Sendable, Equatable {
    public var line: InputLineSettings
    public var pullInMs = 100
    public var dropOutMs = 100

    public init(line: InputLineSettings, pullInMs: Int = 100, dropOutMs: Int = 100) {
        self.line = line
        self.pullInMs = pullInMs
        self.dropOutMs = dropOutMs
    }

    static func decode(_ node: ConfigNode, path: String, parentOrigin: ConfigOrigin) throws -> ContactorFeedbackSettings? {
        if case .null = node { return nil }
        var m = try ConfigMapping(node, path: path, parentOrigin: parentOrigin)
        let pullIn = try m.int("pull_in_ms", default: 100, range: 5...5_000, unit: " ms")
        let dropOut = try m.int("drop_out_ms", default: 100, range: 5...5_000, unit: " ms")
        let line = try InputLineSettings.decode(&m, activeLowDefault: false)
        return ContactorFeedbackSettings(line: line, pullInMs: pullIn, dropOutMs: dropOut)
    }
}
