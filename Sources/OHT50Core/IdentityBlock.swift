/// The common block every module has at 0x00F0–0x00FF. Discovery reads it (device id at F0, module
/// type at F7) to check that each address holds the type the config says.
public struct IdentityBlock: Sendable, Equatable, Codable {
    public static let start: UInt16 = 0x00F0
    public static let count: UInt16 = 16
    public static let resetErrorsRegister: UInt16 = 0x00F4

    public var deviceID: UInt16
    /// "major.minor" from F1 (high byte . low byte).
    public var firmwareVersion: String
    public var status: UInt16
    public var error: UInt16
    public var baudCode: UInt16
    public var parity: UInt16
    public var moduleTypeCode: UInt16
    /// Four ASCII characters from F8–F9.
    public var name: String
    public var hardwareVersion: String
    public var serial: UInt32
    /// "YYYY-MM-DD" from FD (year) and FE (month << 8 | day).
    public var buildDate: String

    /// The type a module says it is, if the code is known.
    public var moduleType: ModuleType? { ModuleType(code: moduleTypeCode) }

    public init?(registers r: [UInt16]) {
        guard r.count >= 16 else { return nil }
        deviceID = r[0]
        firmwareVersion = "\(r[1] >> 8).\(r[1] & 0xFF)"
        status = r[2]
        error = r[3]
        baudCode = r[5]
        parity = r[6]
        moduleTypeCode = r[7]
        let chars = [r[8] >> 8, r[8] & 0xFF, r[9] >> 8, r[9] & 0xFF].compactMap { $0 == 0 ? nil : Unicode.Scalar(UInt8($0)) }
        name = String(String.UnicodeScalarView(chars))
        hardwareVersion = "\(r[10] >> 8).\(r[10] & 0xFF)"
        serial = UInt32(r[11]) << 16 | UInt32(r[12])
        let month = r[14] >> 8
        let day = r[14] & 0xFF
        buildDate = "\(r[13])-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}

extension ModuleType {
    /// The code a module reports at 0x00F7: its conventional bus address.
    public var code: UInt16 {
        switch self {
        case .power: 0x02
        case .motor: 0x03
        case .io: 0x04
        case .dock: 0x05
        case .dido: 0x06
        case .analog: 0x07
        }
    }

    public init?(code: UInt16) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
