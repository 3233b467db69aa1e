import Hummingbird
import NIOCore

/// Per-request context: the peer (events record it as the source) and the 4 KiB body limit.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var requestID = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 4 * 1024 }

    /// "127.0.0.1:51234", for event sources and logs.
    public var peer: String {
        guard let remoteAddress else { return "unknown" }
        return "\(remoteAddress.ipAddress ?? "?"):\(remoteAddress.port ?? 0)"
    }
}
