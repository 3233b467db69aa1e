import HTTPTypes
import Hummingbird
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// The names a request may address this daemon by (`http.allowed_hosts`). A page a technician's browser
/// loaded from elsewhere can have its name re-pointed at the vehicle (DNS rebinding); the browser then
/// sends that page's name as `Host`, which is none of these, and gets 421. Loopback names are always
/// allowed (a rebound name is never one of them); besides them the configured list, or by default this
/// machine's host name and the addresses of its interfaces. A request without `Host` (HTTP/1.0, never a
/// browser) is let through.
public struct HostAllowlist: Sendable, Equatable {
    public static let loopback: Set<String> = ["localhost", "127.0.0.1", "::1"]
    /// Lowercased, without port, brackets or a trailing dot.
    public let names: Set<String>
    /// The list as an operator would write it, for the 421's message and the start-up log.
    public let described: [String]

    public init(
        configured: [String]?, hostName: String? = HostAllowlist.hostName(), addresses: [String] = HostAllowlist.interfaceAddresses()
    ) {
        let chosen = configured ?? ([hostName].compactMap { $0 } + addresses)
        var names = Self.loopback
        var described = ["localhost", "127.0.0.1", "[::1]"]
        for entry in chosen {
            let name = Self.normalized(entry)
            guard !name.isEmpty, names.insert(name).inserted else { continue }
            described.append(name.contains(":") ? "[\(name)]" : name)
        }
        self.names = names
        self.described = described
    }

    /// Whether a request with this `Host` (its authority) may be answered.
    public func admits(_ authority: String?) -> Bool {
        guard let authority else { return true }
        return names.contains(Self.normalized(authority))
    }

    /// `Host: [fe80::1]:8081` → `fe80::1`; `Oht50-07.Plant.Local.:8081` → `oht50-07.plant.local`.
    static func normalized(_ authority: String) -> String {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            host = host.dropFirst().prefix { $0 != "]" }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        while host.hasSuffix(".") { host = host.dropLast() }
        if let zone = host.firstIndex(of: "%") { host = host[..<zone] }
        return String(host)
    }

    public static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// Every IPv4 and IPv6 address of this machine's interfaces, as text.
    public static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(address, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return addresses
    }
}

/// Before any route runs: 421 for a request whose `Host` is not one of this vehicle's names, and 403 for
/// a request that changes something (not GET or HEAD) sent by a page from another origin. A browser
/// names the page's origin in `Origin` on such a request; a form on any web page may otherwise POST to
/// the vehicle (`/motion/stop` needs no token) without the page ever reading the answer. Clients that
/// are not browsers send no `Origin` and are let through. The 421 does not list the names: a rebound page
/// can read it, and the list holds every interface address (the start-up log has it).
struct HostAllowlistMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    static let origin = HTTPField.Name("Origin")!
    let allowlist: HostAllowlist

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard allowlist.admits(request.head.authority) else {
            throw APIError(
                .misdirectedRequest, code: "misdirected_request",
                message: "Host \"\(request.head.authority ?? "")\" is not a name of this vehicle: use one of http.allowed_hosts "
                    + "(listed in the daemon's start-up log), or localhost on the vehicle itself")
        }
        if request.method != .get, request.method != .head, let origin = request.headers[Self.origin],
            !HostAllowlist.sameAuthority(origin: origin, host: request.head.authority)
        {
            throw APIError(
                .forbidden, code: "cross_origin",
                message: "a \(request.method) from the page of another origin is refused (Origin is not a name of this vehicle); "
                    + "send it from the vehicle's own page or without a browser")
        }
        return try await next(request, context)
    }
}

extension HostAllowlist {
    /// A page's own requests carry `Origin: scheme://` + the `Host` it was loaded by (the same name and
    /// port): anything else — another port of the same machine (another service's page), another name,
    /// `null` (a sandboxed page, a file) — is another origin. Letter case and a trailing dot aside, the
    /// authorities must be equal; the port too (a missing one is the scheme's default). `host` is the
    /// request's `Host`, already admitted.
    static func sameAuthority(origin: String, host: String?) -> Bool {
        let parts = origin.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let host, !parts[1].isEmpty, !parts[1].contains("/") else { return false }
        let scheme = parts[0].lowercased()
        guard scheme == "http" || scheme == "https" else { return false }
        let defaultPort = scheme == "https" ? "443" : "80"
        return hostAndPort(String(parts[1]), defaultPort: defaultPort) == hostAndPort(host, defaultPort: defaultPort)
    }

    /// `Oht50-07.:8081` → `oht50-07:8081`; `[::1]` → `::1:80` (with the default port).
    private static func hostAndPort(_ authority: String, defaultPort: String) -> String {
        let lower = authority.lowercased()
        var port = defaultPort
        if lower.hasPrefix("[") {
            if let close = lower.firstIndex(of: "]"), lower[lower.index(after: close)...].hasPrefix(":") {
                port = String(lower[lower.index(close, offsetBy: 2)...])
            }
        } else if lower.filter({ $0 == ":" }).count == 1, let colon = lower.lastIndex(of: ":") {
            port = String(lower[lower.index(after: colon)...])
        }
        return normalized(authority) + "|" + port
    }
}
