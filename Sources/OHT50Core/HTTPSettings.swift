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

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> HTTPSettings {
        var s = HTTPSettings()
        s.bind = try m.string("bind", default: s.bind)
        s.port = try m.int("port", default: s.port, range: 0...65_535)
        s.resetMinIntervalMs = try m.int("reset_min_interval_ms", default: s.resetMinIntervalMs, range: 0...600_000, unit: " ms")
        s.allowedHosts = try m.optionalStringList(
            "allowed_hosts", allowed: "a list of host names or addresses, e.g. [oht50-07.plant.local, 10.20.0.57], or null")
        try m.rejectUnknownKeys()
        return s
    }
}
