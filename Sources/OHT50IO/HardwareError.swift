#if canImport(Glibc)
import Glibc
#endif

/// A line, chip, file or port the configuration names is missing or unusable at start.
/// The daemon exits 69 (EX_UNAVAILABLE) on one.
public struct HardwareError: Error, Sendable, CustomStringConvertible {
    /// What it is for, e.g. "E-stop input (estop.sysfs_path)".
    public var role: String
    public var device: String
    public var problem: String
    public var hint: String
    /// Not there, or not usable by this user: what udev does late at boot (makes the device, gives it to
    /// its group). A start waits for such a device (`startup.device_wait_ms`); not for one that is held
    /// by another program, is of the wrong kind or has no such line.
    public var mayAppear: Bool

    public init(role: String, device: String, problem: String, hint: String, mayAppear: Bool = false) {
        self.role = role
        self.device = device
        self.problem = problem
        self.hint = hint
        self.mayAppear = mayAppear
    }

    /// Whether an open that failed with `errno` may succeed once udev has done its part.
    public static func mayAppear(errno e: Int32) -> Bool { [ENOENT, ENODEV, ENXIO, EACCES].contains(e) }

    public var description: String { "\(role): \(device): \(problem); \(hint)" }
}
