import ArgumentParser
import FoundationEssentials
import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d export-gpio`: what `oht50-gpio-export.service` runs at boot, as root, before the daemon: the
/// sysfs lines the configuration names (`/sys/class/gpio/gpioN/value`) exported, in the right
/// direction and writable by group gpio. gpiod lines and plain files are left alone.
struct ExportGPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-gpio",
        abstract: "Export the configuration's sysfs GPIO lines (E-stop in; motion-enable, heartbeat, LEDs out at 0) for group gpio.",
        discussion: """
            Idempotent: a line already exported in the right direction is left as it is (a running daemon is not \
            disturbed). Exit codes: 0 every line usable, 69 a line cannot be exported (named, with why), 78 bad configuration.
            """)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, journal: environment["JOURNAL_STREAM"] != nil) }
        let logger = Logger(label: "oht50d.export-gpio")
        let config: FirmwareConfig
        do {
            config = try ConfigLoader.load(path: options.config, environment: environment, flags: []).config
        } catch {
            logger.error("configuration rejected: \(error)")
            throw ExitStatus.badConfig
        }
        let group = getgrnam("gpio")?.pointee.gr_gid
        if group == nil { logger.warning("no group gpio here: the lines stay root's (the package's sysusers.d makes the group)") }
        var failed = false
        for line in Self.sysfsLines(config) {
            do {
                let done = try SysfsGPIOExport.export(line, group: group)
                logger.notice("\(line.role): \(done)")
            } catch {
                logger.error("\(error)")
                failed = true
            }
        }
        if failed { throw ExitStatus.hardwareMissing }
    }

    /// Every line the daemon would open with the sysfs backend, with its direction.
    static func sysfsLines(_ config: FirmwareConfig) -> [SysfsGPIOExport.Line] {
        var lines: [SysfsGPIOExport.Line] = []
        for input in VehicleHardware(config).inputs where input.settings.backend == .sysfs {
            let role = input.role == .estop ? "E-stop input (estop.sysfs_path)" : input.role.description
            if let path = input.settings.sysfsPath { lines.append(.init(role: role, path: path, output: false)) }
        }
        var outputs: [(String, OutputLineSettings?)] = [
            ("motion_enable", config.outputs.motionEnable), ("heartbeat", config.outputs.heartbeat),
        ]
        outputs += config.outputs.leds.all.map { ("leds.\($0.0)", $0.1) }
        for case let (name, settings?) in outputs where settings.backend == .sysfs {
            if let path = settings.sysfsPath { lines.append(.init(role: "outputs.\(name)", path: path, output: true)) }
        }
        return lines
    }
}
