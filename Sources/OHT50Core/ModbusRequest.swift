/// The requests this bus uses (Modbus application protocol v1.1b3).
public enum ModbusRequest: Sendable, Equatable {
    case readHoldingRegisters(start: UInt16, count: UInt16)
    case readInputRegisters(start: UInt16, count: UInt16)
    case writeSingleRegister(address: UInt16, value: UInt16)
    case writeMultipleRegisters(start: UInt16, values: [UInt16])

    public var isWrite: Bool {
        switch self {
        case .readHoldingRegisters, .readInputRegisters: false
        case .writeSingleRegister, .writeMultipleRegisters: true
        }
    }

    public var functionCode: UInt8 {
        switch self {
        case .readHoldingRegisters: 0x03
        case .readInputRegisters: 0x04
        case .writeSingleRegister: 0x06
        case .writeMultipleRegisters: 0x10
        }
    }
}

/// Modbus exception codes a server answers with.
public enum ModbusException: UInt8, Sendable, CaseIterable {
    case illegalFunction = 0x01
    case illegalDataAddress = 0x02
    case illegalDataValue = 0x03
    case serverDeviceFailure = 0x04
    case acknowledge = 0x05
    case serverDeviceBusy = 0x06
    case gatewayPathUnavailable = 0x0A
    case gatewayTargetFailedToRespond = 0x0B
}
