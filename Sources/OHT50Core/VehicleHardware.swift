/// The vehicle's hardware as a configuration names it — the E-stop input, every output line, the RS485
/// bus and its modules — each with the configuration key that names it. The daemon opens it, `safe-off`
/// turns it off, `doctor` checks it, all from this list: **a new input or output line is added here**
/// (its role, key and description), and every one of them then knows it.
public struct VehicleHardware: Sendable, Equatable {
    /// What an output line does on the vehicle. The order is the order lines are opened, and turned off.
    public enum OutputRole: String, Sendable, CaseIterable {
        case motionEnable, heartbeat, errorLED, systemLED, commLED, powerLED, networkLED

        /// The configuration key, e.g. `outputs.leds.error`.
        public var key: String {
            switch self {
            case .motionEnable: "outputs.motion_enable"
            case .heartbeat: "outputs.heartbeat"
            case .errorLED: "outputs.leds.error"
            case .systemLED: "outputs.leds.system"
            case .commLED: "outputs.leds.comm"
            case .powerLED: "outputs.leds.power"
            case .networkLED: "outputs.leds.network"
            }
        }

        /// What it is, for messages: "motion-enable output (outputs.motion_enable)".
        public var description: String {
            let what =
                switch self {
                case .motionEnable: "motion-enable output"
                case .heartbeat: "heartbeat output"
                case .errorLED: "error LED"
                case .systemLED: "system LED"
                case .commLED: "comm LED"
                case .powerLED: "power LED"
                case .networkLED: "network LED"
                }
            return "\(what) (\(key))"
        }

        func settings(in outputs: OutputSettings) -> OutputLineSettings? {
            switch self {
            case .motionEnable: outputs.motionEnable
            case .heartbeat: outputs.heartbeat
            case .errorLED: outputs.leds.error
            case .systemLED: outputs.leds.system
            case .commLED: outputs.leds.comm
            case .powerLED: outputs.leds.power
            case .networkLED: outputs.leds.network
            }
        }
    }

    /// What an input line does on the vehicle: the E-stop (its first channel), the second channel of a
    /// two-channel E-stop, the motion-enable relay's feedback contact.
    public enum InputRole: String, Sendable, CaseIterable {
        case estop, estopSecond, contactorFeedback

        /// The configuration key: `estop`, `estop.channels[1]`, `outputs.motion_enable.feedback`.
        public var key: String {
            switch self {
            case .estop: "estop"
            case .estopSecond: "estop.channels[1]"
            case .contactorFeedback: "outputs.motion_enable.feedback"
            }
        }

        /// What it is, for messages: "E-stop channel 2 (estop.channels[1])".
        public var description: String {
            switch self {
            case .estop: "E-stop input (estop)"
            case .estopSecond: "E-stop channel 2 (estop.channels[1])"
            case .contactorFeedback: "contactor feedback (outputs.motion_enable.feedback)"
            }
        }
    }

    public struct Input: Sendable, Equatable {
        public var role: InputRole
        public var settings: InputLineSettings
    }

    public struct Output: Sendable, Equatable {
        public var role: OutputRole
        public var settings: OutputLineSettings
    }

    public var estop: EStopSettings
    /// The motion-enable relay's feedback contact, when there is one.
    public var feedback: ContactorFeedbackSettings?

    /// Every configured output, in `OutputRole` order; motion-enable is always first.
    public var outputs: [Output]
    public var bus: BusSettings
    public var modules: [ModuleSettings]

    public init(_ config: FirmwareConfig) {
        estop = config.estop
        feedback = config.outputs.motionEnableFeedback
        outputs = OutputRole.allCases.compactMap { role in role.settings(in: config.outputs).map { Output(role: role, settings: $0) } }
        bus = config.bus
        modules = config.modules
    }

    public func output(_ role: OutputRole) -> OutputLineSettings? { outputs.first { $0.role == role }?.settings }

    /// Every configured input line: the E-stop (first channel) always, the second channel and the
    /// contactor feedback when configured.
    public var inputs: [Input] {
        var inputs = [Input(role: .estop, settings: estop.first)]
        if let second = estop.second { inputs.append(Input(role: .estopSecond, settings: second)) }
        if let feedback { inputs.append(Input(role: .contactorFeedback, settings: feedback.line)) }
        return inputs
    }

    /// Motion-enable: always configured, always first.
    public var motionEnable: Output { outputs[0] }

    /// The drives: what must be stopped.
    public var drives: [ModuleSettings] { modules.filter { $0.type == .motor } }

    /// Two roles on one line (an E-stop channel on an output, a feedback on motion-enable itself, two
    /// inputs or two outputs on one line): the first such pair's keys and the line, nil when every line has
    /// one role. A gpiod chip is compared as written, less a leading `/dev/`.
    public var sharedLine: (first: String, second: String, line: String)? {
        var seen: [(key: String, identity: String, location: String)] = []
        let named =
            inputs.map { ($0.role.key, Self.identity($0.settings.backend, $0.settings.chip, $0.settings.line, $0.settings.sysfsPath)) }
            + outputs.map { ($0.role.key, Self.identity($0.settings.backend, $0.settings.chip, $0.settings.line, $0.settings.sysfsPath)) }
        for (key, line) in named {
            guard let line else { continue }
            if let other = seen.first(where: { $0.identity == line.identity }) { return (other.key, key, line.location) }
            seen.append((key, line.identity, line.location))
        }
        return nil
    }

    private static func identity(_ backend: LineBackend, _ chip: String?, _ line: Int?, _ path: String?) -> (
        identity: String, location: String
    )? {
        switch backend {
        case .gpiod:
            let name = chip.map { $0.hasPrefix("/dev/") ? String($0.dropFirst(5)) : $0 } ?? "?"
            return ("gpiod \(name) \(line ?? -1)", "gpiod \(chip ?? "?") line \(line ?? -1)")
        case .sysfs: return ("sysfs \(path ?? "")", "sysfs \(path ?? "")")
        case .simulated: return nil
        }
    }
}
