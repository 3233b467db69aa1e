/// `outputs.leds.*`, each optional. On the vehicle: sysfs 54 power, 35 system, 28 comm, 29 network, 58 error.
public struct IndicatorLEDSettings: Sendable, Equatable {
    /// On while the daemon runs.
    public var power: OutputLineSettings?
    /// Blinks at 1 Hz while the safety loop runs.
    public var system: OutputLineSettings?
    /// On while no bus cause (comm loss, module alarm) is active.
    public var comm: OutputLineSettings?
    /// On while the HTTP endpoint is listening.
    public var network: OutputLineSettings?
    /// On while the vehicle is tripped (any state but `ready` and `moving`).
    public var error: OutputLineSettings?

    public init() {}

    static let names = ["power", "system", "comm", "network", "error"]

    static func decode(_ m: inout ConfigMapping) throws -> IndicatorLEDSettings {
        var s = IndicatorLEDSettings()
        func led(_ name: String) throws -> OutputLineSettings? {
            try OutputLineSettings.decode(m.node(name), path: m.qualified(name), parentOrigin: m.origin, default: nil)
        }
        s.power = try led("power")
        s.system = try led("system")
        s.comm = try led("comm")
        s.network = try led("network")
        s.error = try led("error")
        try m.rejectUnknownKeys()
        return s
    }

    public var all: [(name: String, line: OutputLineSettings?)] {
        [("power", power), ("system", system), ("comm", comm), ("network", network), ("error", error)]
    }
}
