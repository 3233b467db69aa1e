import HTTPTypes
import Hummingbird
import Logging
import Metrics
import OHT50Runtime

/// Gives every response an `X-Request-ID` (a valid incoming one is echoed), turns every thrown error
/// into the JSON error answer, and writes one access-log line per request (at debug).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    static let header = HTTPField.Name("X-Request-ID")!
    let logger: Logger

    /// A client may send any token as its method: only the standard ones become label values.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        let standard: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .options, .patch, .connect, .trace]
        return standard.contains(method) ? method.rawValue : "other"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = Self.validIncoming(request.headers[Self.header]) ?? Self.generate()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = APIError.from(error).response()
        }
        response.headers[Self.header] = context.requestID
        // Routes by their pattern, so an unknown path cannot create a series of its own: anything answered
        // before a route matched (404, 405, 421) is "unmatched", whatever its path.
        let route = context.endpointPath ?? "unmatched"
        MetricFamily.httpRequestsTotal.counter([
            ("route", route), ("method", Self.methodLabel(request.method)), ("status", "\(response.status.code)"),
        ])
        .increment()
        let elapsed = ContinuousClock.now - started
        MetricFamily.httpRequestDurationSeconds.timer([("route", route), ("status", "\(response.status.code)")])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        // At debug (log.level: debug, or systemctl reload after setting it): at info, a client's request rate
        // would be the journal's, and journald's rate limit would then drop a trip's line with the rest.
        // The requests are counted in oht50_http_requests_total whatever the level.
        logger.debug(
            "http request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "duration_ms":
                    "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
                "request_id": "\(context.requestID)", "peer": "\(context.peer)",
            ])
        return response
    }

    /// Letters, digits and `. _ : -` (UUIDs, hex ids, trace ids), at most 128 characters: anything else is
    /// replaced by a generated id. The id goes into the log and every command's event source, which
    /// `oht50d events` prints to a terminal: quotes, `=`, escapes or control bytes there could forge a
    /// logfmt field or rewrite the technician's screen.
    static func validIncoming(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.unicodeScalars.allSatisfy({
                ($0.value >= 0x30 && $0.value <= 0x3A) || ($0.value >= 0x41 && $0.value <= 0x5A) || ($0.value >= 0x61 && $0.value <= 0x7A)
                    || $0 == "." || $0 == "_" || $0 == "-"
            })
        else { return nil }
        return value
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(printf: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
