import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// The running daemon over HTTP: one blocking HTTP/1.1 request per connection on plain sockets, bounded
/// by socket timeouts so it never hangs — over TCP (`http.bind`:`http.port`) or over the local control
/// socket (`http.control_socket`). `oht50d status|reset|events` use it, and so do the end-to-end tests
/// (the endpoint is local; no HTTP client library is needed for that).
public struct DaemonClient: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public struct Answer: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [String: String]
        public var data: Data

        public var body: String { String(decoding: data, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        /// The body as JSON; `.null` when it is not JSON.
        public var value: JSONValue { JSONValue.parse(data) ?? .null }
    }

    public let url: String
    public let host: String
    public let port: Int
    /// The control socket's path; requests go there instead of `host`:`port`.
    public let socketPath: String?
    /// With `socketPath`: the user ids a server may run as. The client asks the kernel who listens
    /// (`SO_PEERCRED`) and sends nothing to anybody else, so a program squatting on the path learns nothing.
    public let trustedServerUIDs: Set<UInt32>

    /// - Parameter url: `http://HOST:PORT`, the daemon's `http.bind` and `http.port`.
    public init(url: String) throws(Failure) {
        guard let parsed = URL(string: url), parsed.scheme == "http", let host = parsed.host, !host.isEmpty else {
            throw Failure(description: "--url \(url): expected http://HOST:PORT (the daemon's http.bind and http.port)")
        }
        self.url = url
        self.host = host
        self.port = parsed.port ?? 80
        socketPath = nil
        trustedServerUIDs = []
    }

    /// The largest answer read (the daemon's largest, a telemetry history, is under 1 MiB): a server that
    /// sends without end cannot exhaust the client's memory.
    public static let maxAnswerBytes = 16 * 1_048_576

    /// Whether requests stay on this machine: the control socket, or a loopback host (what may carry the
    /// token in clear text).
    public var reachesLoopbackOnly: Bool {
        if socketPath != nil || ["localhost", "::1", "[::1]"].contains(host.lowercased()) { return true }
        // A numeric 127.x.y.z only: `127.0.0.1.example.com` is a name anyone can point anywhere.
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1 && UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    public init(host: String = "127.0.0.1", port: Int) {
        self.url = "http://\(host):\(port)"
        self.host = host
        self.port = port
        socketPath = nil
        trustedServerUIDs = []
    }

    /// The daemon's control socket; requests say `Host: localhost`.
    public init(socketPath: String, trustedServerUIDs: Set<UInt32>) {
        url = "unix:\(socketPath)"
        host = "localhost"
        port = 0
        self.socketPath = socketPath
        self.trustedServerUIDs = trustedServerUIDs
    }

    public func get(_ path: String, headers: [String: String] = [:]) throws(Failure) -> Answer {
        try request("GET", path, headers: headers)
    }

    public func post(_ path: String, body: String = "", headers: [String: String] = [:]) throws(Failure) -> Answer {
        try request("POST", path, body: body, headers: headers)
    }

    /// Throws only when the daemon cannot be reached or answers something that is not HTTP.
    public func request(
        _ method: String, _ path: String, body: String = "", headers: [String: String] = [:], timeoutSeconds: Int = 10
    ) throws(Failure) -> Answer {
        let fd = try open(timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        // A `Host` among `headers` replaces the one this client would send.
        let hostValue = socketPath == nil ? "\(host):\(port)" : host
        let ownHost = headers.keys.contains { $0.lowercased() == "host" } ? "" : "Host: \(hostValue)\r\n"
        var head = "\(method) \(path) HTTP/1.1\r\n\(ownHost)Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw Failure(description: "\(url): sending the request failed: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var response = Data()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        // Each read waits at most timeoutSeconds (the socket's timeout); the whole answer, six times that.
        let deadline = ContinuousClock.now + .seconds(6 * timeoutSeconds)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "\(url): no answer: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            response.append(contentsOf: chunk[0..<n])
            if response.count > Self.maxAnswerBytes {
                throw Failure(description: "\(url): the answer is over \(Self.maxAnswerBytes / 1_048_576) MiB; not read further")
            }
            if ContinuousClock.now > deadline {
                throw Failure(description: "\(url): the answer took over \(6 * timeoutSeconds) s; not read further")
            }
        }
        return try Self.parse(response, url: url)
    }

    /// A connected socket to this client's daemon (TCP, or the control socket once its server is trusted).
    public func open(timeoutSeconds: Int = 10) throws(Failure) -> Int32 {
        guard let socketPath else { return try Self.connect(host: host, port: port, timeoutSeconds: timeoutSeconds) }
        let fd = try Self.connect(socketPath: socketPath, timeoutSeconds: timeoutSeconds)
        do {
            try checkServer(fd, path: socketPath)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private func checkServer(_ fd: Int32, path: String) throws(Failure) {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            throw Failure(description: "unix:\(path): cannot ask who serves it: \(String(cString: strerror(errno)))")
        }
        guard trustedServerUIDs.contains(credentials.uid) else {
            let trusted = trustedServerUIDs.sorted().map { PeerCredentials.userName($0) }.joined(separator: ", ")
            throw Failure(
                description:
                    "unix:\(path) is served by process \(credentials.pid) running as \(PeerCredentials.userName(credentials.uid)), "
                    + "not as the daemon's user (\(trusted)): nothing was sent to it; is oht50-firmware running? systemctl status oht50-firmware"
            )
        }
    }

    /// A connected unix socket with send and receive timeouts.
    public static func connect(socketPath: String, timeoutSeconds: Int = 10) throws(Failure) -> Int32 {
        guard socketPath.utf8.count <= UnixSocketAddress.maxPathBytes else {
            throw Failure(
                description:
                    "unix:\(socketPath): the path is \(socketPath.utf8.count) bytes; a socket path has at most \(UnixSocketAddress.maxPathBytes)"
            )
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "unix:\(socketPath): socket: \(String(cString: strerror(errno)))") }
        setTimeouts(fd, seconds: timeoutSeconds)
        if UnixSocketAddress.with(socketPath, { Glibc.connect(fd, $0, $1) }) == 0 { return fd }
        let error = errno
        close(fd)
        switch error {
        case EACCES, EPERM:
            throw Failure(
                description:
                    "unix:\(socketPath): permission denied: the control socket is for root and the group oht50 (sudo, or "
                    + "sudo adduser $USER oht50 and log in again); read-only views also answer over HTTP with --url http://127.0.0.1:8081")
        case ENOENT, ECONNREFUSED:
            throw Failure(
                description:
                    "unix:\(socketPath): the daemon is not reachable (\(String(cString: strerror(error)))); is oht50-firmware running? "
                    + "systemctl status oht50-firmware (the simulated vehicle's socket is <data-dir>/control.sock: --data-dir)")
        default:
            throw Failure(description: "unix:\(socketPath): the daemon is not reachable: \(String(cString: strerror(error)))")
        }
    }

    static func setTimeouts(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A connected TCP socket to the daemon with send and receive timeouts, for callers that speak on it
    /// themselves (a stream, a deliberately bad request).
    public static func connect(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 10) throws(Failure) -> Int32 {
        let url = "http://\(host):\(port)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "\(port)", &hints, &list) == 0, let first = list else {
            throw Failure(description: "\(url): cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                setTimeouts(fd, seconds: timeoutSeconds)
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw Failure(
            description:
                "\(url): the daemon is not reachable (\(String(cString: strerror(lastError)))); is oht50-firmware running? systemctl "
                + "status oht50-firmware"
        )
    }

    static func parse(_ response: Data, url: String) throws(Failure) -> Answer {
        guard let split = response.firstRange(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "\(url): the answer is not HTTP")
        }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head.first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw Failure(description: "\(url): the answer is not HTTP: \(statusLine)")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmed
        }
        var body = Data(response[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Answer(status: status, headers: headers, data: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let lineEnd = rest.firstRange(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            let end = rest.index(start, offsetBy: size)
            out.append(rest[start..<end])
            rest = rest[rest.index(end, offsetBy: min(2, rest.distance(from: end, to: rest.endIndex)))...]
        }
        return out
    }
}
