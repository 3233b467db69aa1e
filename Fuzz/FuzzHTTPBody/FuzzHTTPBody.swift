import Hummingbird

@testable import OHT50API

/// Any body of POST /api/v1/motion/move, and any value of the events and trips query parameters: the
/// answer is a move of 0–100 % or a 400 with a code the API documents — never a crash.
let bodyCodes: Set<String> = ["bad_request", "malformed_json", "unknown_field", "missing_field", "invalid_field"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    do {
        let move = try MotionController.parseMove(ByteBuffer(bytes: bytes))
        precondition(move.speedPercent <= 100, "speed \(move.speedPercent) accepted")
    } catch let error as APIError {
        precondition(error.status == .badRequest && bodyCodes.contains(error.code), "move body answered \(error.status) \(error.code)")
    } catch {
        preconditionFailure("move body: not an APIError: \(error)")
    }
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let value = try EventsController.integer(text, name: "after", default: 0, range: 0...Int64.max)
        precondition(value >= 0)
    } catch let error as APIError {
        precondition(error.status == .badRequest, "query answered \(error.status) \(error.code)")
    } catch {
        preconditionFailure("query: not an APIError: \(error)")
    }
    return 0
}
