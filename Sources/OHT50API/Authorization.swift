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
        if token.refusedInClearFromNetwork && !context.isLoopbackPeer {
            // A request that carried the right token has already exposed it on the wire: refusing is not
            // enough, the operator has to replace it. A wrong or missing one exposed nothing.
            let exposed = token.accepts(authorization: request.headers[.authorization])
            let said =
                exposed
                ? "the valid API token arrived over plain HTTP from the network and was refused: it has crossed the network in "
                    + "clear text, replace it"
                : "token over plain HTTP from the network refused"
            logger.log(
                level: exposed ? .error : .warning, Logger.Message(stringLiteral: said),
                metadata: ["path": "\(request.uri.path)", "peer": "\(context.peer)"])
            throw APIError(
                .forbidden, code: "token_over_plain_http",
                message:
                    "this endpoint is plain HTTP and the request came from the network: the token would travel in clear text, so it "
                    + "is refused. Configure http.tls (cert and key) and use https://, or set http.allow_plain_token: true on a network "
                    + "you trust"
                    + (exposed
                        ? ". The token you sent is the valid one and has now crossed the network in clear text: replace it (sed -i "
                            + "'/^OHT50_API_TOKEN=/d' /opt/oht50/.env && dpkg-reconfigure oht50d, which restarts oht50-firmware; then give "
                            + "the backend the new OHT50_API_TOKEN)" : ""))
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
