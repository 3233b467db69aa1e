/// `outputs.*`: motion-enable (required), an optional heartbeat (toggled every cycle, a charge pump for
/// an external safety relay) and optional indicator LEDs.
public struct OutputSettings: Sendable, Equatable {
    public var motionEnable = OutputLineSettings.vehicleMotionEnable
    /// `outputs.motion_enable.feedback`: the relay's NC contact read back; `nil` trusts the output.
    public var motionEnableFeedback: ContactorFeedbackSettings?
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
        // The feedback is an input beside the output's keys: taken out before the line is read.
        var line = motionEnable
        if case .mapping(var entries, let o) = motionEnable, let index = entries.firstIndex(where: { $0.key == "feedback" }) {
            let feedback = entries.remove(at: index).value
            line = .mapping(entries, o)
            s.motionEnableFeedback = try ContactorFeedbackSettings.decode(
                feedback, path: m.qualified("motion_enable.feedback"), parentOrigin: o)
        }
        s.motionEnable =
            try OutputLineSettings.decode(line, path: m.qualified("motion_enable"), parentOrigin: m.origin, default: .vehicleMotionEnable)
            ?? .vehicleMotionEnable
        s.heartbeat = try OutputLineSettings.decode(
            m.node("heartbeat"), path: m.qualified("heartbeat"), parentOrigin: m.origin, default: nil)
        var leds = try m.mapping("leds")
        s.leds = try IndicatorLEDSettings.decode(&leds)
        try m.rejectUnknownKeys()
        return s
    }
}
