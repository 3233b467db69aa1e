/// Modbus RTU framing: `address, PDU, CRC`. Shared by the simulator (server side) and the tests; the
/// daemon's master uses libmodbus, and conformance tests hold the two to the same bytes.
public enum RTUCodec {
    /// Address 0 is broadcast: servers act on writes and never answer.
    public static let broadcastAddress: UInt8 = 0

    public enum DecodeError: Error, Sendable, Equatable {
        case tooShort
        case badCRC
        case unsupportedFunction(UInt8)
        case malformed
    }

    // MARK: requests (master → server)

    public static func encode(_ request: ModbusRequest, address: UInt8) -> [UInt8] {
        var pdu: [UInt8] = [request.functionCode]
        switch request {
        case .readHoldingRegisters(let start, let count), .readInputRegisters(let start, let count):
            pdu += be(start) + be(count)
        case .writeSingleRegister(let register, let value):
            pdu += be(register) + be(value)
        case .writeMultipleRegisters(let start, let values):
            pdu += be(start) + be(UInt16(values.count)) + [UInt8(values.count * 2)] + values.flatMap(be)
        }
        return ModbusCRC.appending(to: [address] + pdu)
    }

    /// The full length of the request frame that starts with `prefix`, once enough of it is known;
    /// nil while more bytes are needed; `.unsupportedFunction` for function codes the bus does not use.
    public static func requestLength(prefix: ArraySlice<UInt8>) -> Result<Int, DecodeError>? {
        guard prefix.count >= 2 else { return nil }
        let function = prefix[prefix.startIndex + 1]
        switch function {
        case 0x03, 0x04, 0x06: return .success(8)
        case 0x10:
            guard prefix.count >= 7 else { return nil }
            return .success(9 + Int(prefix[prefix.startIndex + 6]))
        default: return .failure(.unsupportedFunction(function))
        }
    }

    public static func decodeRequest(_ frame: ArraySlice<UInt8>) -> Result<(address: UInt8, request: ModbusRequest), DecodeError> {
        guard frame.count >= 4 else { return .failure(.tooShort) }
        guard ModbusCRC.isValid(Array(frame)) else { return .failure(.badCRC) }
        let f = Array(frame)
        let address = f[0]
        let word = { (i: Int) in UInt16(f[i]) << 8 | UInt16(f[i + 1]) }
        switch f[1] {
        case 0x03 where f.count == 8: return .success((address, .readHoldingRegisters(start: word(2), count: word(4))))
        case 0x04 where f.count == 8: return .success((address, .readInputRegisters(start: word(2), count: word(4))))
        case 0x06 where f.count == 8: return .success((address, .writeSingleRegister(address: word(2), value: word(4))))
        case 0x10:
            let count = Int(word(4))
            guard f.count == 9 + count * 2, Int(f[6]) == count * 2 else { return .failure(.malformed) }
            return .success((address, .writeMultipleRegisters(start: word(2), values: (0..<count).map { word(7 + 2 * $0) })))
        case 0x03, 0x04, 0x06: return .failure(.malformed)
        default: return .failure(.unsupportedFunction(f[1]))
        }
    }

    // MARK: responses (server → master)

    public static func encodeReadResponse(address: UInt8, function: UInt8, registers: [UInt16]) -> [UInt8] {
        ModbusCRC.appending(to: [address, function, UInt8(registers.count * 2)] + registers.flatMap(be))
    }

    /// FC06 echoes the request; FC16 answers start and count.
    public static func encodeWriteResponse(address: UInt8, request: ModbusRequest) -> [UInt8] {
        switch request {
        case .writeSingleRegister(let register, let value):
            return ModbusCRC.appending(to: [address, 0x06] + be(register) + be(value))
        case .writeMultipleRegisters(let start, let values):
            return ModbusCRC.appending(to: [address, 0x10] + be(start) + be(UInt16(values.count)))
        default:
            preconditionFailure("not a write")
        }
    }

    public static func encodeException(address: UInt8, function: UInt8, exception: ModbusException) -> [UInt8] {
        ModbusCRC.appending(to: [address, function | 0x80, exception.rawValue])
    }

    private static func be(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
}
