import OHT50Core

/// Opens what `VehicleHardware` names — the daemon at start, `safe-off`, `rs485-probe` — failing with
/// the line or port and what to check when one is missing (the daemon exits 69 on it).
public enum VehicleOpener {
    public static func estopInput(_ settings: EStopSettings) throws(HardwareError) -> any EStopInput {
        switch settings.backend {
        case .sysfs: return try SysfsEStopInput(path: settings.sysfsPath, activeLow: settings.activeLow)
        case .simulated: return SimulatedEStopInput()
        case .gpiod: return try GPIODEStopInput(chip: settings.chip, line: settings.line, activeLow: settings.activeLow)
        }
    }

    /// The second channel of a two-channel E-stop, `nil` for one channel.
    public static func estopSecondInput(_ settings: EStopSettings) throws(HardwareError) -> (any EStopInput)? {
        guard let second = settings.second else { return nil }
        return try input(second, role: VehicleHardware.InputRole.estopSecond.description)
    }

    /// The motion-enable relay's feedback contact, `nil` when none is configured.
    public static func feedbackInput(_ settings: OutputSettings) throws(HardwareError) -> (any EStopInput)? {
        guard let feedback = settings.motionEnableFeedback else { return nil }
        return try input(feedback.line, role: VehicleHardware.InputRole.contactorFeedback.description)
    }

    /// Any input line other than the one-channel E-stop; `role` names it in errors.
    public static func input(_ line: InputLineSettings, role: String) throws(HardwareError) -> any EStopInput {
        switch line.backend {
        case .sysfs: return try SysfsEStopInput(path: line.sysfsPath ?? "", activeLow: line.activeLow, role: role)
        case .simulated: return SimulatedEStopInput()
        case .gpiod: return try GPIODEStopInput(chip: line.chip ?? "", line: line.line ?? -1, activeLow: line.activeLow, role: role)
        }
    }

    public static func output(_ output: VehicleHardware.Output) throws(HardwareError) -> any OutputLine {
        try Self.output(output.settings, role: output.role.description)
    }

    public static func output(_ settings: OutputLineSettings, role: String) throws(HardwareError) -> any OutputLine {
        switch settings.backend {
        case .sysfs: return try SysfsOutputLine(path: settings.sysfsPath ?? "", role: role)
        case .simulated: return SimulatedOutputLine()
        case .gpiod: return try GPIODOutputLine(chip: settings.chip ?? "", line: settings.line ?? -1, role: role)
        }
    }

    /// A Modbus master for `bus.port`: RTU on a serial port, or Modbus TCP for a `tcp://HOST:PORT` gateway.
    public static func bus(_ settings: BusSettings) throws(BusOpenError) -> ModbusMaster {
        if let (host, port) = BusSettings.tcpEndpoint(settings.port) {
            return try ModbusMaster(host: host, port: port, responseTimeoutMs: settings.responseTimeoutMs)
        }
        return try ModbusMaster(settings: settings)
    }
}
