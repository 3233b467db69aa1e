/// The module types on the vehicle bus (DESIGN "RS485 / Modbus RTU").
public enum ModuleType: String, Sendable, CaseIterable, Equatable {
    case power, motor, io, dock, dido, analog

    public var defaultPollMs: Int {
        switch self {
        case .power: 100
        case .motor: 10
        case .io, .dock, .dido, .analog: 200
        }
    }

    /// Only the modules the safety chain depends on are required unless the config says otherwise.
    public var requiredByDefault: Bool { self == .power || self == .motor }
}
