/// CRC-16/MODBUS (reflected polynomial 0xA001, initial 0xFFFF), sent low byte first.
public enum ModbusCRC {
    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        return crc
    }

    package static func compute<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes { crc = (crc >> 8) ^ table[Int((crc ^ UInt16(byte)) & 0xFF)] }
        return crc
    }

    /// The bytes followed by their CRC.
    package static func appending(to bytes: [UInt8]) -> [UInt8] {
        let crc = compute(bytes)
        return bytes + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    /// True when the last two bytes are the CRC of the rest.
    public static func isValid<C: Collection>(_ frame: C) -> Bool where C.Element == UInt8, C.Index == Int {
        guard frame.count >= 4 else { return false }
        let body = frame[frame.startIndex..<(frame.endIndex - 2)]
        let crc = compute(body)
        return frame[frame.endIndex - 2] == UInt8(crc & 0xFF) && frame[frame.endIndex - 1] == UInt8(crc >> 8)
    }
}
