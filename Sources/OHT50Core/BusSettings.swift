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

    /// The longest the bus thread naps between passes when no poll is due (its heartbeat moves at each).
    public static let longestNapMs = 100

    /// `tcp://HOST:PORT` selects Modbus TCP (a bench gateway) instead of a serial port.
    public static func tcpEndpoint(_ port: String) -> (host: String, port: Int)? {
        guard port.hasPrefix("tcp://") else { return nil }
        let rest = port.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), let number = Int(rest[rest.index(after: colon)...]),
            (1...65_535).contains(number), colon > rest.startIndex
        else { return nil }
        return (String(rest[..<colon]), number)
    }

    static let baudRates = [1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600]

    static func decode(_ m: inout ConfigMapping) throws -> BusSettings {
        var s = BusSettings()
        s.port = try m.string("port", default: s.port)
        if s.port.hasPrefix("tcp://") && tcpEndpoint(s.port) == nil {
            throw ConfigError(
                origin: m.origin, key: m.qualified("port"), value: s.port, problem: "is not a Modbus TCP endpoint",
                allowed: "a serial device such as /dev/ttyOHT485, or tcp://HOST:PORT")
        }
        let allowedBauds = baudRates.map(String.init).joined(separator: ", ")
        if let (text, o) = try m.scalar("baud", allowed: allowedBauds) {
            guard let baud = Int(text), baudRates.contains(baud) else {
                throw ConfigError(
                    origin: o, key: m.qualified("baud"), value: text, problem: "is not a supported baud rate", allowed: allowedBauds)
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
