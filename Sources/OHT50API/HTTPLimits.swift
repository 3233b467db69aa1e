import Hummingbird
import HummingbirdCore
import NIOCore

/// What one client may take from the :8081 endpoint. Bodies are limited per request (4 KiB,
/// `APIRequestContext.maxUploadSize`); these hold the connections themselves.
public enum HTTPLimits {
    /// A connection that sends nothing for this long is closed (slow or stuck clients).
    public static let idleTimeout = TimeAmount.seconds(10)
    /// Far above the backend, the health poller and a technician together; a flood cannot take all fds.
    public static let maxConnections = 256

    public static var server: HTTPServerBuilder {
        .http1(
            configuration: .init(
                idleTimeout: idleTimeout,
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 16 * 1024, maxHeaderFieldCount: 64)))
    }

    public static var connections: MaximumAvailableConnections { MaximumAvailableConnections(maxConnections) }
}
