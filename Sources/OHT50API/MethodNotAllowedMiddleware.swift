import Hummingbird

/// Turns the router's 404 for a known path into 405 with the methods it does take.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    /// Paths as the spec writes them: `{name}` matches one segment.
    let routes: [String: [HTTPRequest.Method]]

    /// The methods of the route a path belongs to; a trailing slash is the same route (as the router has it).
    static func methods(for path: String, in routes: [String: [HTTPRequest.Method]]) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.first { pattern, _ in
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") || $0 == $1 }
        }?.value
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = Self.methods(for: request.uri.path, in: routes), !methods.contains(request.method) else {
                throw error
            }
            let allowed = methods.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(allowed)",
                headers: [.allow: allowed])
        }
    }
}
