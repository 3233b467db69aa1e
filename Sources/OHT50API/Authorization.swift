import Hummingbird
import Logging

/// The Bearer check shared by every authenticated route; a peer the control socket authorised
/// (`SO_PEERCRED`) needs no token.
enum Authorization {
    /// A wrong or missing token is a line a client causes at will: one per 10 s, with the count left out.
    static let unauthorizedLog = LogThrottle(window: .seconds(10))
    /// Likewise a token refused for clear text (any client on the network can send one at will), and the
    /// valid one's exposure (anyone who captured it can replay it): one line each per 10 s.
    static let clearTextLog = LogThrottle(window: .seconds(10))
    static let exposedLog = LogThrottle(window: .seconds(10))

    static func require(_ token: BearerToken?, request: Request, logger: Logger, context: APIRequestContext) throws {
        if context.controlPeer != nil { return }
        guard let token else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "no API token is configured: set OHT50_API_TOKEN in /opt/oht50/.env and restart",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        try refuseClearText(token, request: request, logger: logger, context: context)
        guard token.accepts(authorization: request.headers[.authorization]) else {
            if let leftOut = unauthorizedLog.admit() {
                logger.notice(
                    "unauthorized request",
                    metadata: [
                        "path": "\(request.uri.path)", "peer": "\(context.peer)",
                        "not_logged_before": "\(leftOut) (one line per 10 s; all in oht50_http_requests_total status 401)",
                    ])
            }
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "missing or wrong bearer token: send Authorization: Bearer <OHT50_API_TOKEN>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
    }

    /// Plain HTTP from the network with `http.allow_plain_token` off: an authenticated route is refused
    /// before any token is looked at, and so is any route a token was sent to (an unauthenticated read
    /// included: the token has travelled all the same). The answer is the same whether the token was the
    /// valid one or not — a different answer would tell a guesser on the network which guess was right;
    /// the log tells the operator (an error when the valid one has crossed the network).
    static func refuseClearText(_ token: BearerToken, request: Request, logger: Logger, context: APIRequestContext) throws {
        guard token.refusedInClearFromNetwork, !context.isLoopbackPeer, context.controlPeer == nil else { return }
        let exposed = token.accepts(authorization: request.headers[.authorization])
        let (throttle, level, said): (LogThrottle, Logger.Level, String) =
            exposed
            ? (
                exposedLog, .error,
                "the valid API token arrived over plain HTTP from the network and was refused: it has crossed the network in "
                    + "clear text, replace it"
            )
            : (clearTextLog, .warning, "token over plain HTTP from the network refused")
        if let leftOut = throttle.admit() {
            logger.log(
                level: level, Logger.Message(stringLiteral: said),
                metadata: ["path": "\(request.uri.path)", "peer": "\(context.peer)", "not_logged_before": "\(leftOut) (one line per 10 s)"])
        }
        throw APIError(
            .forbidden, code: "token_over_plain_http",
            message:
                "this endpoint is plain HTTP and the request came from the network: the token would travel in clear text, so it "
                + "is refused. Configure http.tls (cert and key) and use https://, or set http.allow_plain_token: true on a network "
                + "you trust. If you sent this vehicle's token, it has crossed the network in clear text: replace it (sed -i "
                + "'/^OHT50_API_TOKEN=/d' /opt/oht50/.env && dpkg-reconfigure oht50d, which restarts oht50-firmware; then give "
                + "the backend the new OHT50_API_TOKEN)")
    }
}

/// Any request that carries `Authorization` over plain HTTP from the network, whatever its route
/// (`Authorization.refuseClearText`).
struct ClearTextTokenMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let token: BearerToken
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.headers[.authorization] != nil {
            try Authorization.refuseClearText(token, request: request, logger: logger, context: context)
        }
        return try await next(request, context)
    }
}
