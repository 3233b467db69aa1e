import FoundationEssentials
import OHT50Core

/// oht50-firmware.service as installed: the unit file systemd would load first, and the `WatchdogSec=` it
/// and its drop-ins set (the last one read wins, as in systemd).
enum ServiceUnit {
    static let paths = [
        "/etc/systemd/system/oht50-firmware.service", "/lib/systemd/system/oht50-firmware.service",
        "/usr/lib/systemd/system/oht50-firmware.service",
    ]
    static let dropInDirectories = ["/usr/lib/systemd/system/oht50-firmware.service.d", "/etc/systemd/system/oht50-firmware.service.d"]

    /// The installed unit's path, nil when it is not installed.
    static var installed: String? { paths.first(where: FileManager.default.fileExists) }

    /// The watchdog `unit` (by default the installed one) and its drop-ins set; nil without one.
    static func watchdog(unit: String? = installed) -> ServiceWatchdog? {
        guard let unit else { return nil }
        var files = [unit]
        if paths.contains(unit) {
            for directory in dropInDirectories {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                files += names.filter { $0.hasSuffix(".conf") }.sorted().map { "\(directory)/\($0)" }
            }
        }
        var found: ServiceWatchdog?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let setting = line.trimmed
                guard setting.hasPrefix("WatchdogSec=") else { continue }
                // An empty or zero value turns the watchdog off again.
                found = ServiceWatchdog(timeSpan: String(setting.dropFirst("WatchdogSec=".count)), source: file)
            }
        }
        return found
    }
}
