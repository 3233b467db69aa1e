/// `bus.*`: the RS485 Modbus RTU line. May be absent while `modules` is empty.
public struct BusSettings: Sendable, Equatable {
    public enum Parity: String, Sendable, CaseIterable { case none, even, odd }

    public var port = "/dev/ttyOHT485"
    public var baud = 115_200
    public var parity = Parity.none
    public var dataBits = 8
    public var stopBits = 1
    /// Never libmodbus' 500 ms default: a drive poll every 10 ms cannot wait that long.
    public var responseTimeoutMs = 20
    public var commLossAfter = 3

    public init() {}

    static let baudRates = [1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600]

    static func decode(_ m: inout ConfigMapping) throws -> BusSettings {
        var s = BusSettings()
        s.port = try m.string("port", default: s.port)
        let allowedBauds = baudRates.map(String.init).joined(separator: ", ")
        if let (text, o) = try m.scalar("baud", allowed: allowedBauds) {
            guard let baud = Int(text), baudRates.contains(baud) else {
                throw ConfigError(origin: o, key: m.qualified("baud"), value: text, problem: "is not a supported baud rate", allowed: allowedBauds)
            }
            s.baud = baud
        }
        s.parity = try m.choice("parity", default: s.parity)
        s.dataBits = try m.int("data_bits", default: s.dataBits, range: 7...8)
        s.stopBits = try m.int("stop_bits", default: s.stopBits, range: 1...2)
        s.responseTimeoutMs = try m.int("response_timeout_ms", default: s.responseTimeoutMs, range: 1...1_000, unit: " ms")
        s.commLossAfter = try m.int("comm_loss_after", default: s.commLossAfter, range: 1...100, unit: " transactions")
        try m.rejectUnknownKeys()
        return s
    }
}
