import Foundation

/// The files `--simulate` uses in place of GPIO: `<data-dir>/sim/gpio59/value` (the E-stop, active-low,
/// written 1 = released at every start), `<data-dir>/sim/gpio131/value` (motion-enable, written 0) and
/// `<data-dir>/sim/heartbeat/value` (the charge-pump output, toggled every cycle).
public enum SimulatedVehicleFiles {
    public static func prepare(in dataDir: String) throws -> (estop: String, motionEnable: String, heartbeat: String) {
        let estop = dataDir + "/sim/gpio59/value"
        let motionEnable = dataDir + "/sim/gpio131/value"
        let heartbeat = dataDir + "/sim/heartbeat/value"
        for (path, value) in [(estop, "1\n"), (motionEnable, "0\n"), (heartbeat, "0\n")] {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(value.utf8).write(to: URL(fileURLWithPath: path))
        }
        return (estop, motionEnable, heartbeat)
    }
}
