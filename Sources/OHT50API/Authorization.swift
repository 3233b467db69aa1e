import Hummingbird
import Logging

/// The Bearer check shared by every authenticated route; a peer the control socket authorised
/// (`SO_PEERCRED`) needs no token.
enum Authorization {
    static func require(_ token: BearerToken?, request: Request, logger: Logger, context: APIRequestContext) throws {
        if context.controlPeer != nil { return }
        guard let token else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "no API token is configured: set OHT50_API_TOKEN in /opt/oht50/.env and restart",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard token.accepts(authorization: request.headers[.authorization]) else {
            logger.notice("unauthorized request", metadata: ["path": "\(request.uri.path)", "peer": "\(context.peer)"])
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "missing or wrong bearer token: send Authorization: Bearer <OHT50_API_TOKEN>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
    }
}
