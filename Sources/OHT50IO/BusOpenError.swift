/// Why the bus could not be opened.
public enum BusOpenError: Error, Sendable, CustomStringConvertible {
    /// The port does not exist or cannot be opened (names it and errno).
    case unusable(port: String, reason: String)
    /// Another process holds it.
    case busy(port: String, holder: String?)

    public var description: String {
        switch self {
        case .unusable(let port, let reason):
            "serial port \(port) is missing or unusable: \(reason); check bus.port and that the adapter is connected"
        case .busy(let port, let holder):
            "serial port \(port) is in use by \(holder ?? "another process"); stop it first (the daemon holds the bus: sudo systemctl "
                + "stop oht50-firmware)"
        }
    }
}
