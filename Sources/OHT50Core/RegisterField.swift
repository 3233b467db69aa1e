/// One register of a module's map: where it is, what it means, and how its raw value becomes a
/// quantity with a unit.
public struct RegisterField: Sendable, Equatable {
    public var address: UInt16
    public var name: String
    /// "V", "A", "°C", "%", or "" for codes and bit sets.
    public var unit: String
    /// The raw value is divided by this (×10 registers have 10).
    public var scale: Double
    /// Two's complement (a temperature below 0 °C), else 0–65535.
    public var signed: Bool
    public var writable: Bool

    public init(_ address: UInt16, _ name: String, unit: String = "", scale: Double = 1, signed: Bool = false, writable: Bool = false) {
        self.address = address
        self.name = name
        self.unit = unit
        self.scale = scale
        self.signed = signed
        self.writable = writable
    }

    public func decode(_ raw: UInt16) -> DecodedValue {
        let number = signed ? Double(Int16(bitPattern: raw)) : Double(raw)
        return DecodedValue(name: name, value: number / scale, unit: unit, raw: raw, register: address)
    }
}

/// A register's value as a quantity.
public struct DecodedValue: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
    public var unit: String
    public var raw: UInt16
    public var register: UInt16
}
