import OHT50Core

/// Builds the E-stop input and output lines the configuration names, failing at start (exit 69) with
/// the line and what to check when one is missing.
public enum LineFactory {
    public static func estopInput(_ settings: EStopSettings) throws(HardwareError) -> any EStopInput {
        switch settings.backend {
        case .sysfs: return try SysfsEStopInput(path: settings.sysfsPath, activeLow: settings.activeLow)
        case .simulated: return SimulatedEStopInput()
        case .gpiod:
            throw HardwareError(
                role: "E-stop input (estop.backend)", device: "\(settings.chip) line \(settings.line)",
                problem: "the gpiod backend is not part of this build yet",
                hint: "use backend: sysfs with sysfs_path: /sys/class/gpio/gpio59/value")
        }
    }

    public static func output(_ settings: OutputLineSettings, role: String) throws(HardwareError) -> any OutputLine {
        switch settings.backend {
        case .sysfs: return try SysfsOutputLine(path: settings.sysfsPath ?? "", role: role)
        case .simulated: return SimulatedOutputLine()
        case .gpiod:
            throw HardwareError(
                role: role, device: "\(settings.chip ?? "?") line \(settings.line ?? -1)",
                problem: "the gpiod backend is not part of this build yet",
                hint: "use backend: sysfs with sysfs_path")
        }
    }
}
