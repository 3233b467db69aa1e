import OHT50Core

/// Builds the E-stop input and output lines the configuration names, failing at start (exit 69) with
/// the line and what to check when one is missing.
public enum LineFactory {
    public static func estopInput(_ settings: EStopSettings) throws(HardwareError) -> any EStopInput {
        switch settings.backend {
        case .sysfs: return try SysfsEStopInput(path: settings.sysfsPath, activeLow: settings.activeLow)
        case .simulated: return SimulatedEStopInput()
        case .gpiod: return try GPIODEStopInput(chip: settings.chip, line: settings.line, activeLow: settings.activeLow)
        }
    }

    public static func output(_ settings: OutputLineSettings, role: String) throws(HardwareError) -> any OutputLine {
        switch settings.backend {
        case .sysfs: return try SysfsOutputLine(path: settings.sysfsPath ?? "", role: role)
        case .simulated: return SimulatedOutputLine()
        case .gpiod: return try GPIODOutputLine(chip: settings.chip ?? "", line: settings.line ?? -1, role: role)
        }
    }
}
