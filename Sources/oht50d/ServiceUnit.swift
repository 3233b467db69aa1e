import FoundationEssentials
import OHT50Core

/// oht50-firmware.service as installed: the unit file systemd would load first, and the `WatchdogSec=` it
/// and its drop-ins set, read the way systemd reads them.
enum ServiceUnit {
    /// Where systemd looks, highest priority first.
    static let directories = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"]
    static let paths = directories.map { "\($0)/oht50-firmware.service" }

    /// The installed unit's path, nil when it is not installed.
    static var installed: String? { paths.first(where: FileManager.default.fileExists) }

    /// The unit's drop-ins as systemd applies them: every `*.conf` of every `oht50-firmware.service.d`, a
    /// name in a higher-priority directory hiding the same name in a lower one, applied in name order.
    static var dropIns: [String] {
        var chosen: [String: String] = [:]
        for directory in directories.reversed() {
            let path = "\(directory)/oht50-firmware.service.d"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasSuffix(".conf") {
                chosen[name] = "\(path)/\(name)"
            }
        }
        return chosen.keys.sorted().compactMap { chosen[$0] }
    }

    /// The watchdog `unit` (by default the installed one) and its drop-ins set; nil without one. A value
    /// systemd would not take is skipped, as systemd skips it; an empty one, 0 or `infinity` turns it off.
    static func watchdog(unit: String? = installed) -> ServiceWatchdog? {
        guard let unit else { return nil }
        let files = [unit] + (paths.contains(unit) ? dropIns : [])
        var found: ServiceWatchdog?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "="), line[..<equals].trimmed == "WatchdogSec" else { continue }
                let value = String(line[line.index(after: equals)...]).trimmed
                if let watchdog = ServiceWatchdog(timeSpan: value, source: file) {
                    found = watchdog
                } else if ServiceWatchdog.turnsOff(value) {
                    found = nil
                }
            }
        }
        return found
    }
}
