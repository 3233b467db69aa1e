/// How one Modbus transaction ended, in the classes counters and rs485-probe report.
public enum TransactionOutcome: Sendable, Equatable, BitwiseCopyable {
    case ok
    case timeout
    case crc
    case exception(UInt8)
    /// The port itself failed (unplugged USB adapter, closed descriptor): reopen it.
    case portLost(Int32)
    /// Anything else libmodbus reports (bad data, wrong slave, …), with its errno.
    case other(Int32)

    public var className: String {
        switch self {
        case .ok: "ok"
        case .timeout: "timeout"
        case .crc: "crc"
        case .exception: "exception"
        case .portLost: "port_lost"
        case .other: "other"
        }
    }
}
