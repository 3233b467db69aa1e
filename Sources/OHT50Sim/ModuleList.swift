import OHT50Core

/// `power@2,motor@3`: the simulator's module list.
public enum ModuleList {
    public static func parse(_ text: String) throws -> [SimulatedModule] {
        var modules: [SimulatedModule] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "@")
            let types = ModuleType.allCases.map(\.rawValue).joined(separator: ", ")
            guard parts.count == 2, let type = ModuleType(rawValue: String(parts[0])) else {
                throw SimulatorError("module \"\(item)\": expected TYPE@ADDRESS with TYPE one of \(types)")
            }
            guard let address = UInt8(parts[1]), (1...247).contains(address) else {
                throw SimulatorError("module \"\(item)\": the address must be 1–247")
            }
            guard !modules.contains(where: { $0.address == address }) else {
                throw SimulatorError("module \"\(item)\": address \(address) is used twice")
            }
            modules.append(SimulatedModule(address: address, type: type))
        }
        guard !modules.isEmpty else { throw SimulatorError("no modules given") }
        return modules
    }
}
