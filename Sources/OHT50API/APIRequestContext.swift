import Hummingbird
import NIOCore
import OHT50Core

/// Per-request context: the peer (events record it as the source) and the 4 KiB body limit.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var requestID = ""
    /// The connection, for the control socket's peer credentials.
    let channel: any Channel
    /// Set by `ControlSocketMiddleware` for a peer the control socket authorises: it needs no token.
    public var controlPeer: PeerCredentials?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    public var maxUploadSize: Int { 4 * 1024 }

    /// A peer on this machine: the control socket, or TCP from 127.0.0.0/8 or ::1 (also as ::ffff:127.x).
    public var isLoopbackPeer: Bool {
        switch remoteAddress {
        case .unixDomainSocket?: return true
        case .v4(let a)?: return a.address.sin_addr.s_addr.bigEndian >> 24 == 127
        case .v6(let a)?:
            let ip = a.host
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case nil: return false
        }
    }

    /// "127.0.0.1:51234", or "control socket uid 0 (root) pid 1234", for event sources and logs.
    public var peer: String {
        if let controlPeer { return "control socket \(controlPeer.described)" }
        guard let remoteAddress else { return "unknown" }
        if case .unixDomainSocket = remoteAddress { return "control socket" }
        return "\(remoteAddress.ipAddress ?? "?"):\(remoteAddress.port ?? 0)"
    }
}
