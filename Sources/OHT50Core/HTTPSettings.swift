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
    /// `http.tls`: HTTPS on `bind`:`port` instead of plain HTTP; `nil` (absent or null) keeps it plain.
    public var tls: TLSSettings? = nil
    /// The token over plain HTTP from a peer that is not this machine is refused (403) unless this is set:
    /// on the plant network it would travel in clear text.
    public var allowPlainToken = false

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> HTTPSettings {
        var s = HTTPSettings()
        s.bind = try m.string("bind", default: s.bind)
        s.port = try m.int("port", default: s.port, range: 0...65_535)
        s.resetMinIntervalMs = try m.int("reset_min_interval_ms", default: s.resetMinIntervalMs, range: 0...600_000, unit: " ms")
        s.allowedHosts = try m.optionalStringList(
            "allowed_hosts", allowed: "a list of host names or addresses, e.g. [oht50-07.plant.local, 10.20.0.57], or null")
        s.controlSocket = try m.socketPath("control_socket", default: s.controlSocket)
        switch m.node("tls") {
        case nil, .null?: s.tls = nil
        case let node?:
            var tls = try ConfigMapping(node, path: m.qualified("tls"), parentOrigin: m.origin)
            s.tls = try TLSSettings.decode(&tls)
        }
        s.allowPlainToken = try m.bool("allow_plain_token", default: s.allowPlainToken)
        try m.rejectUnknownKeys()
        return s
    }
}

/// `http.tls.*`: the vehicle's certificate and key (PEM), and for mutual TLS the CA that signs the
/// clients' certificates (then a client without a certificate of that CA is refused at the handshake).
public struct TLSSettings: Sendable, Equatable {
    public var cert: String
    public var key: String
    public var clientCA: String?

    public init(cert: String, key: String, clientCA: String? = nil) {
        self.cert = cert
        self.key = key
        self.clientCA = clientCA
    }

    static func decode(_ m: inout ConfigMapping) throws -> TLSSettings {
        let example = "a PEM file, e.g. /opt/oht50/tls/vehicle.crt (the package makes a self-signed one)"
        guard let cert = try m.optionalString("cert") else {
            throw ConfigError(origin: m.origin, key: m.qualified("cert"), value: nil, problem: "is missing", allowed: example)
        }
        guard let key = try m.optionalString("key") else {
            throw ConfigError(
                origin: m.origin, key: m.qualified("key"), value: nil, problem: "is missing",
                allowed: "the certificate's private key, a PEM file, e.g. /opt/oht50/tls/vehicle.key")
        }
        let s = TLSSettings(cert: cert, key: key, clientCA: try m.nullableString("client_ca"))
        try m.rejectUnknownKeys()
        return s
    }
}
