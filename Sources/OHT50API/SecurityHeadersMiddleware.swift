import HTTPTypes
import Hummingbird

/// On every response: a Content-Security-Policy that lets a page load only from this daemon (no inline
/// script, no other origin, no framing, no form posts anywhere), and no MIME sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    static let policy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
