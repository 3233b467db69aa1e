import OHT50Core

/// Any register values a module can send back, decoded as the daemon and rs485-probe decode them: every
/// map's poll read and a read window at any start, the alarm check, and the identity block. The first
/// two bytes are the window's start, the rest the registers (big-endian, as on the wire).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegisters(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    let start = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    let registers = stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    for type in ModuleType.allCases {
        let map = RegisterMap.of(type)
        let polled = map.decode(registers)
        precondition(polled.count <= map.fields.count)
        for value in map.decode(registers, from: start) + polled {
            precondition(!value.name.isEmpty && !"\(value.value)".isEmpty, "empty decoded value \(value)")
        }
        if let alarm = map.alarm(in: registers) { precondition(!alarm.isEmpty) }
    }
    if let identity = IdentityBlock(registers: registers) {
        precondition(identity.moduleType.map { $0.code == identity.moduleTypeCode } ?? true)
        _ = "\(identity.name) \(identity.firmwareVersion) \(identity.hardwareVersion) \(identity.buildDate) \(identity.serial)"
    } else {
        precondition(registers.count < Int(IdentityBlock.count), "a full identity block was refused")
    }
    return 0
}
