import FoundationEssentials
import OHT50Core

/// Everything `oht50d --simulate` puts in place of the vehicle, in one place: the E-stop, motion-enable
/// and heartbeat as files under `<data-dir>/sim` (what the sysfs backend reads and writes on the
/// vehicle), and a power module at 2 and a drive at 3 on a pty at `<data-dir>/sim/ttyOHT485` that speak
/// real Modbus RTU to the daemon's real libmodbus.
public enum SimulatedVehicle {
    /// The simulated vehicle's modules: the power module and the drive, both required.
    public static let modules = [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor)]
    public static let description = "power@2, motor@3"
    /// Where the data directory is when `--data-dir` is not given.
    public static let defaultDataDir = "./.oht50"

    /// What the configuration means under `--simulate`: the simulated modules, and the data directory
    /// `./.oht50` unless one was given. Pure, so a reload compares like with like.
    public static func configure(_ config: inout FirmwareConfig, dataDirGiven: Bool) {
        if !dataDirGiven { config.storage.dataDir = defaultDataDir }
        config.modules = modules
    }

    public struct Files: Sendable {
        /// Active-low like the vehicle's line: written 1 (released) at every start; `echo 0 >` it to press.
        public var estop: String
        /// Written 0 at every start.
        public var motionEnable: String
        /// The charge-pump output, toggled every cycle.
        public var heartbeat: String
        /// With `estop.channels`: the second channel, written released at every start.
        public var estopSecond: String?
        /// With `outputs.motion_enable.feedback`: the contactor's feedback, which `SimulatedContactor` writes.
        public var feedback: String?
    }

    /// Creates the files (`gpio59/value`, `gpio131/value`, `heartbeat/value` under `<data-dir>/sim`) and
    /// points the configuration's E-stop and outputs at them; the LEDs are left out.
    public static func prepareFiles(_ config: inout FirmwareConfig) throws -> Files {
        let sim = config.storage.dataDir + "/sim"
        var files = Files(estop: sim + "/gpio59/value", motionEnable: sim + "/gpio131/value", heartbeat: sim + "/heartbeat/value")
        var contents = [(files.estop, "1\n"), (files.motionEnable, "0\n"), (files.heartbeat, "0\n")]
        if let second = config.estop.second {
            let path = sim + "/gpio60/value"
            files.estopSecond = path
            contents.append((path, second.activeLow ? "1\n" : "0\n"))
            config.estop.second = InputLineSettings(backend: .sysfs, sysfsPath: path, activeLow: second.activeLow)
        }
        if var feedback = config.outputs.motionEnableFeedback {
            let path = sim + "/gpio61/value"
            files.feedback = path
            contents.append((path, feedback.line.activeLow ? "0\n" : "1\n"))
            feedback.line = InputLineSettings(backend: .sysfs, sysfsPath: path, activeLow: feedback.line.activeLow)
            config.outputs.motionEnableFeedback = feedback
        }
        for (path, value) in contents {
            try FileManager.default.createDirectory(atPath: PathName.directory(of: path), withIntermediateDirectories: true)
            try Data(value.utf8).write(to: URL(fileURLWithPath: path))
        }
        config.estop.backend = .sysfs
        config.estop.sysfsPath = files.estop
        config.estop.activeLow = true
        config.outputs.motionEnable = OutputLineSettings(backend: .sysfs, sysfsPath: files.motionEnable)
        config.outputs.heartbeat = OutputLineSettings(backend: .sysfs, sysfsPath: files.heartbeat)
        config.outputs.leds = IndicatorLEDSettings()
        return files
    }

    /// Starts the configured modules on a new pty linked at `<data-dir>/sim/ttyOHT485` and points
    /// `bus.port` at it. The bus answers until it is stopped or released.
    public static func startBus(_ config: inout FirmwareConfig) throws -> SimulatedBus {
        let bus = try SimulatedBus(
            modules: config.modules.map { SimulatedModule(address: UInt8($0.address), type: $0.type) },
            link: config.storage.dataDir + "/sim/ttyOHT485", baud: config.bus.baud)
        config.bus.port = bus.terminal.path
        return bus
    }
}
