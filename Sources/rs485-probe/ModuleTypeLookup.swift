import OHT50Core
import OHT50IO

/// The register map to decode with: `--type`, or what the module's identity block says.
enum ModuleTypeLookup {
    static func map(_ master: ModbusMaster, address: UInt8, given: String?) -> RegisterMap? {
        if let given, let type = ModuleType(rawValue: given) { return RegisterMap.of(type) }
        let t = Transaction.read(master, address: address, start: IdentityBlock.start, count: Int(IdentityBlock.count))
        return (t.ok ? IdentityBlock(registers: t.registers)?.moduleType : nil).map(RegisterMap.of)
    }

    /// "voltage=24.1 V" for each register of the map inside the read window.
    static func decode(_ map: RegisterMap?, start: UInt16, registers: [UInt16]) -> [DecodedValue] {
        map?.decode(registers, from: start) ?? []
    }
}
