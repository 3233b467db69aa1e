/// One output line (`outputs.motion_enable`, `outputs.heartbeat`, `outputs.leds.*`):
/// `{backend: gpiod, chip, line}` or `{backend: sysfs, sysfs_path}`.
public struct OutputLineSettings: Sendable, Equatable {
    public var backend: LineBackend
    public var chip: String?
    public var line: Int?
    public var sysfsPath: String?

    public init(backend: LineBackend, chip: String? = nil, line: Int? = nil, sysfsPath: String? = nil) {
        self.backend = backend
        self.chip = chip
        self.line = line
        self.sysfsPath = sysfsPath
    }

    /// The motion-enable relay 1: sysfs GPIO 131 = gpiochip4 line 3.
    public static let vehicleMotionEnable = OutputLineSettings(
        backend: .sysfs, chip: "gpiochip4", line: 3, sysfsPath: "/sys/class/gpio/gpio131/value")

    /// `nil` when the key is absent or null (the output is not used) and there is no default.
    static func decode(_ node: ConfigNode?, path: String, parentOrigin: ConfigOrigin, default fallback: OutputLineSettings?) throws
        -> OutputLineSettings?
    {
        if node == nil { return fallback }
        if case .null = node { return nil }
        var m = try ConfigMapping(node, path: path, parentOrigin: parentOrigin)
        let backend = try m.lineBackend("backend", default: fallback?.backend ?? .sysfs)
        var s = OutputLineSettings(backend: backend)
        s.chip = try m.optionalString("chip") ?? fallback?.chip
        s.line = try m.optionalInt("line", range: 0...1023) ?? fallback?.line
        s.sysfsPath = try m.optionalString("sysfs_path") ?? fallback?.sysfsPath
        try m.rejectUnknownKeys()
        try m.requireLine(backend, chip: s.chip, line: s.line, sysfsPath: s.sysfsPath, example: "/sys/class/gpio/gpio131/value")
        return s
    }
}
