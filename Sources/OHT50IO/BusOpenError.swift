/// Why the bus could not be opened.
public enum BusOpenError: Error, Sendable, CustomStringConvertible {
    /// The port does not exist or cannot be opened (names it and errno; `errno` 0 when none applies).
    case unusable(port: String, reason: String, errno: Int32 = 0)
    /// Another process holds it.
    case busy(port: String, holder: String?)

    /// Not there, or not usable by this user, yet: what udev does late at boot (see `HardwareError.mayAppear`).
    public var mayAppear: Bool {
        if case .unusable(_, _, let e) = self { HardwareError.mayAppear(errno: e) } else { false }
    }

    public var description: String {
        switch self {
        case .unusable(let port, let reason, _):
            "serial port \(port) is missing or unusable: \(reason); check bus.port and that the adapter is connected"
        case .busy(let port, let holder):
            "serial port \(port) is in use by \(holder ?? "another process"); stop it first (the daemon holds the bus: sudo systemctl "
                + "stop oht50-firmware)"
        }
    }
}
