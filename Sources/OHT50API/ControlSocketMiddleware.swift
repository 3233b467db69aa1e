import Hummingbird
import NIOCore
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// The control socket's authorisation: the kernel's record of the connecting process (`SO_PEERCRED`)
/// instead of a token. Root, the daemon's user and members of its group get `controlPeer` set (and so
/// every route without a token); anybody else gets 403 before any route.
struct ControlSocketMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let daemonUID = getuid()
    let daemonGID = getgid()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let provider = context.channel as? any SocketOptionProvider else {
            throw APIError(.forbidden, code: "forbidden", message: "this connection's peer cannot be identified")
        }
        let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        ).get()
        guard credentials.mayControl(daemonUID: daemonUID, daemonGID: daemonGID) else {
            throw APIError(
                .forbidden, code: "forbidden",
                message:
                    "\(PeerCredentials.userName(credentials.uid)) may not use the control socket: it is for root, "
                    + "\(PeerCredentials.userName(daemonUID)) and members of the daemon's group (gid \(daemonGID))")
        }
        var context = context
        context.controlPeer = credentials
        return try await next(request, context)
    }
}
