/// A line, chip, file or port the configuration names is missing or unusable at start.
/// The daemon exits 69 (EX_UNAVAILABLE) on one.
public struct HardwareError: Error, Sendable, CustomStringConvertible {
    /// What it is for, e.g. "E-stop input (estop.sysfs_path)".
    public var role: String
    public var device: String
    public var problem: String
    public var hint: String

    public init(role: String, device: String, problem: String, hint: String) {
        self.role = role
        self.device = device
        self.problem = problem
        self.hint = hint
    }

    public var description: String { "\(role): \(device): \(problem); \(hint)" }
}
