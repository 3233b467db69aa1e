import FoundationEssentials
import Hummingbird
import OHT50Core

/// Every JSON answer, encoded as `WireJSON` says.
enum JSONResponse {
    static let encoder = WireJSON.encoder()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
