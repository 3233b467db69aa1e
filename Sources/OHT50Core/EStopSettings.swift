/// `estop.*`: the E-stop input. Vehicle default: sysfs GPIO 59 = gpiochip1 line 27, active-low.
public struct EStopSettings: Sendable, Equatable {
    public var backend = LineBackend.sysfs
    public var chip = "gpiochip1"
    public var line = 27
    public var sysfsPath = "/sys/class/gpio/gpio59/value"
    /// Active-low: 1 = released, 0 = pressed.
    public var activeLow = true

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> EStopSettings {
        var s = EStopSettings()
        s.backend = try m.lineBackend("backend", default: s.backend)
        s.chip = try m.string("chip", default: s.chip)
        s.line = try m.int("line", default: s.line, range: 0...1023)
        s.sysfsPath = try m.string("sysfs_path", default: s.sysfsPath)
        s.activeLow = try m.bool("active_low", default: s.activeLow)
        try m.rejectUnknownKeys()
        return s
    }
}
