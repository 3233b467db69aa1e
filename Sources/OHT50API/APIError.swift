import FoundationEssentials
import Hummingbird
import OHT50Core

/// An error answer: `{"error":{"code":"…","message":"…"[,"reasons":[…]]}}` with its status.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var reasons: [RefusalText.Reason]?
    /// For a refused reset: whether its event reached the event store before this answer.
    package var eventStored: Bool?
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, reasons: [RefusalText.Reason]? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.reasons = reasons
        self.headers = headers
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var reasons: [RefusalText.Reason]?
            var eventStored: Bool?
        }
        var error: Detail
    }

    public func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = Body(error: .init(code: code, message: message, reasons: reasons, eventStored: eventStored))
        let data =
            (try? JSONResponse.encoder.encode(body)) ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"encoding failed\"}}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// 409 for a command the safety thread refused, listing every reason.
    static func refused(_ code: String, _ what: String, _ refusal: CommandRefusal, resetReleaseNs: UInt64) -> APIError {
        let reasons = RefusalText.reasons(refusal, resetReleaseMs: Int(resetReleaseNs / 1_000_000))
        return APIError(.conflict, code: code, message: "\(what): " + reasons.map(\.message).joined(separator: "; "), reasons: reasons)
    }

    /// Any error a handler or the framework threw, as the JSON answer a client gets.
    static func from(_ error: any Error) -> APIError {
        if let api = error as? APIError { return api }
        if let http = error as? any HTTPResponseError {
            let detail = (error as? HTTPError)?.body
            switch http.status {
            case .notFound: return APIError(.notFound, code: "not_found", message: "no such route; see the HTTP section of README.md")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "body_too_large", message: "request bodies are limited to 4 KiB")
            case .badRequest: return APIError(.badRequest, code: "bad_request", message: detail ?? "malformed request")
            default:
                return APIError(
                    http.status, code: "http_\(http.status.code)", message: detail ?? http.status.reasonPhrase,
                    headers: (error as? HTTPError)?.headers ?? [:])
            }
        }
        return APIError(.internalServerError, code: "internal", message: "internal error: \(error)")
    }
}
