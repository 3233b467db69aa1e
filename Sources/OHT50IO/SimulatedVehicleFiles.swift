import Foundation

/// The files `--simulate` uses in place of GPIO: `<data-dir>/sim/gpio59/value` (the E-stop, active-low,
/// written 1 = released at every start) and `<data-dir>/sim/gpio131/value` (motion-enable, written 0).
public enum SimulatedVehicleFiles {
    public static func prepare(in dataDir: String) throws -> (estop: String, motionEnable: String) {
        let estop = dataDir + "/sim/gpio59/value"
        let motionEnable = dataDir + "/sim/gpio131/value"
        for (path, value) in [(estop, "1\n"), (motionEnable, "0\n")] {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(value.utf8).write(to: URL(fileURLWithPath: path))
        }
        return (estop, motionEnable)
    }
}
