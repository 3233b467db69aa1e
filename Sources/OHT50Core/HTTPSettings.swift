/// `http.*`: the local endpoint for the backend, the health poller and technicians.
public struct HTTPSettings: Sendable, Equatable {
    /// Loopback by default: the endpoint is for this vehicle's own processes.
    public var bind = "127.0.0.1"
    /// 0 picks a free port (tests); the log names the one chosen.
    public var port = 8081
    public var resetMinIntervalMs = 1_000
    /// The `Host` names requests may use besides the loopback ones; `nil`: this machine's host name and
    /// the addresses of its interfaces (found at start).
    public var allowedHosts: [String]? = nil
    /// The local control socket (0660, the daemon's group): `oht50d status|reset|events` use it, authorised
    /// by who connects (`SO_PEERCRED`) rather than by the token, and never TCP. With `--simulate` the default
    /// becomes `<data_dir>/control.sock`.
    public var controlSocket = HTTPSettings.defaultControlSocket
    public static let defaultControlSocket = "/run/oht50/control.sock"

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> HTTPSettings {
        var s = HTTPSettings()
        s.bind = try m.string("bind", default: s.bind)
        s.port = try m.int("port", default: s.port, range: 0...65_535)
        s.resetMinIntervalMs = try m.int("reset_min_interval_ms", default: s.resetMinIntervalMs, range: 0...600_000, unit: " ms")
        s.allowedHosts = try m.optionalStringList(
            "allowed_hosts", allowed: "a list of host names or addresses, e.g. [oht50-07.plant.local, 10.20.0.57], or null")
        s.controlSocket = try m.socketPath("control_socket", default: s.controlSocket)
        try m.rejectUnknownKeys()
        return s
    }
}
