import OHT50IO

/// The lines the safety thread drives. Only `motionEnable` is mandatory.
public struct SafetyOutputLines: Sendable {
    public var motionEnable: any OutputLine
    /// Toggled every cycle: a charge pump for an external safety relay.
    public var heartbeat: (any OutputLine)?
    /// On while tripped.
    public var errorLED: (any OutputLine)?
    /// Blinks at 1 Hz while the loop runs.
    public var systemLED: (any OutputLine)?
    /// On while no bus cause is active.
    public var commLED: (any OutputLine)?

    public init(
        motionEnable: any OutputLine, heartbeat: (any OutputLine)? = nil, errorLED: (any OutputLine)? = nil,
        systemLED: (any OutputLine)? = nil, commLED: (any OutputLine)? = nil
    ) {
        self.motionEnable = motionEnable
        self.heartbeat = heartbeat
        self.errorLED = errorLED
        self.systemLED = systemLED
        self.commLED = commLED
    }

    /// Every line off, in the order that matters: motion-enable first.
    func allOff() {
        _ = motionEnable.set(false)
        _ = heartbeat?.set(false)
        _ = errorLED?.set(false)
        _ = systemLED?.set(false)
        _ = commLED?.set(false)
    }
}
