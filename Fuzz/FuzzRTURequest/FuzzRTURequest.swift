import OHT50Core

@testable import OHT50Sim

/// What the simulator does with the bytes on its line: cut them into frames as `SimulatedBus` does,
/// decode each, and let a power and a motor module answer. A decoded request must encode back to the
/// same bytes (nothing accepted that a real device would read differently), and every answer must be a
/// frame with a good CRC from the addressed module, for the same function or its exception.
nonisolated(unsafe) let modules = [SimulatedModule(address: 2, type: .power), SimulatedModule(address: 3, type: .motor)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTURequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var buffer = Array(UnsafeBufferPointer(start: data, count: size))
    while true {
        switch SimulatedBus.cutFrame(&buffer) {
        case .incomplete: return 0
        case .garbage: continue
        case .frame(let frame):
            guard case .success(let (address, request)) = RTUCodec.decodeRequest(frame) else { continue }
            precondition(
                RTUCodec.encode(request, address: address) == Array(frame), "decoded \(request) does not encode back to \(Array(frame))")
            for module in modules where module.address == address {
                let reply = module.reply(to: request)
                precondition(reply.count >= 5 && ModbusCRC.isValid(reply), "reply \(reply) to \(request) is not a valid frame")
                precondition(reply[0] == address && reply[1] & 0x7F == request.functionCode, "reply \(reply) does not answer \(request)")
            }
        }
    }
}
