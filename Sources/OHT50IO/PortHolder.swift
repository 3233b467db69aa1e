import Foundation

/// Who has a serial port open, for "in use by oht50d (pid 1234)" messages: scans /proc/*/fd.
public enum PortHolder {
    public static func describe(_ path: String) -> String? {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
            $0.hasPrefix("/") ? $0 : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
        } ?? path
        let me = ProcessInfo.processInfo.processIdentifier
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids.compactMap(Int32.init) where pid != me {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
                if link == target || link == path {
                    let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
                    return "\(name) (pid \(pid))"
                }
            }
        }
        return nil
    }
}
