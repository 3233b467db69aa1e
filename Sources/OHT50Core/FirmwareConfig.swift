/// The whole configuration of DESIGN "Config": file, then `OHT50_*` environment, then flags.
public struct FirmwareConfig: Sendable, Equatable {
    public var safety = SafetySettings()
    public var estop = EStopSettings()
    public var outputs = OutputSettings()
    public var bus = BusSettings()
    /// The vehicle's power module and drive, both required; `modules: []` runs without a bus.
    public var modules = [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor)]
    public var http = HTTPSettings()
    public var storage = StorageSettings()
    public var cpu = CPUSettings()
    /// `startup.device_wait_ms`: how long a start waits for a GPIO chip, line or serial port that is not
    /// there (yet) before it exits 69. At boot udev can be late to make a device or give it to its group.
    public var deviceWaitMs = 20_000
    public var logLevel = LogLevel.info

    public init() {}

    /// The built-in defaults; `config/firmware.yaml` documents exactly these (a test keeps them equal).
    public static var defaults: FirmwareConfig { FirmwareConfig() }

    public static func decode(_ root: ConfigNode) throws -> FirmwareConfig {
        var top = try ConfigMapping(root, path: "", parentOrigin: root.origin)
        var config = FirmwareConfig()
        var safety = try top.mapping("safety")
        config.safety = try SafetySettings.decode(&safety)
        var estop = try top.mapping("estop")
        config.estop = try EStopSettings.decode(&estop)
        var outputs = try top.mapping("outputs")
        config.outputs = try OutputSettings.decode(&outputs)
        var bus = try top.mapping("bus")
        config.bus = try BusSettings.decode(&bus)
        if let modules = top.node("modules") {
            config.modules = try ModuleSettings.decodeList(modules, parentOrigin: top.origin, bus: config.bus)
        }
        var http = try top.mapping("http")
        config.http = try HTTPSettings.decode(&http)
        var storage = try top.mapping("storage")
        config.storage = try StorageSettings.decode(&storage)
        var cpu = try top.mapping("cpu")
        config.cpu = try CPUSettings.decode(&cpu)
        var startup = try top.mapping("startup")
        // 10 s below the unit's TimeoutStartSec=30s for the start after it: a wait that runs out is the
        // daemon's clear exit 69, and a device that comes at its end still starts, not a timeout kill.
        config.deviceWaitMs = try startup.int("device_wait_ms", default: config.deviceWaitMs, range: 0...20_000, unit: " ms")
        try startup.rejectUnknownKeys()
        var log = try top.mapping("log")
        config.logLevel = try log.choice("level", default: config.logLevel)
        try log.rejectUnknownKeys()
        try top.rejectUnknownKeys()
        if let shared = VehicleHardware(config).sharedLine {
            throw ConfigError(
                origin: top.origin, key: shared.second, value: shared.line,
                problem: "is the line \(shared.first) already uses: a line serves one role (an input read back from an output, or one "
                    + "contact for two roles, hides the fault it is there to see)",
                allowed: "a line of its own")
        }
        return config
    }

    /// The scalar keys an `OHT50_*` environment variable may set, e.g. `OHT50_SAFETY_CYCLE_MS`.
    public static let environmentKeys: [String] = [
        "safety.cycle_ms", "safety.reset_release_ms", "safety.max_stall_ms", "safety.motion_lease_ms",
        "estop.backend", "estop.chip", "estop.line", "estop.sysfs_path", "estop.active_low",
        "outputs.motion_enable.backend", "outputs.motion_enable.chip", "outputs.motion_enable.line",
        "outputs.motion_enable.sysfs_path",
        "bus.port", "bus.baud", "bus.parity", "bus.data_bits", "bus.stop_bits", "bus.response_timeout_ms",
        "bus.comm_loss_after",
        "http.bind", "http.port", "http.reset_min_interval_ms", "http.control_socket", "http.allow_plain_token",
        "storage.data_dir", "storage.telemetry_retention_days",
        "cpu.safety", "cpu.bus", "cpu.async",
        "startup.device_wait_ms",
        "log.level",
    ]

    public static func environmentVariable(forKey key: String) -> String {
        "OHT50_" + String(key.uppercased().map { $0 == "." ? "_" : $0 })
    }
}
