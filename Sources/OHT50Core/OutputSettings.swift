/// `outputs.*`: motion-enable (required), an optional heartbeat (toggled every cycle, a charge pump for
/// an external safety relay) and optional indicator LEDs.
public struct OutputSettings: Sendable, Equatable {
    public var motionEnable = OutputLineSettings.vehicleMotionEnable
    public var heartbeat: OutputLineSettings?
    public var leds = IndicatorLEDSettings()

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> OutputSettings {
        var s = OutputSettings()
        let motionEnable = m.node("motion_enable")
        if case .null(let o) = motionEnable {
            throw ConfigError(
                origin: o, key: m.qualified("motion_enable"), value: nil, problem: "cannot be turned off",
                allowed: "an output line")
        }
        s.motionEnable =
            try OutputLineSettings.decode(
                motionEnable, path: m.qualified("motion_enable"), parentOrigin: m.origin, default: .vehicleMotionEnable)
            ?? .vehicleMotionEnable
        s.heartbeat = try OutputLineSettings.decode(
            m.node("heartbeat"), path: m.qualified("heartbeat"), parentOrigin: m.origin, default: nil)
        var leds = try m.mapping("leds")
        s.leds = try IndicatorLEDSettings.decode(&leds)
        try m.rejectUnknownKeys()
        return s
    }
}
