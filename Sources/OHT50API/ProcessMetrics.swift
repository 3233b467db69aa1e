import FoundationEssentials
import Metrics
import OHT50Runtime
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The `process_*` series Prometheus' own clients export (CPU, memory, file descriptors, start time),
/// read from /proc/self at each scrape. swift-metrics has none of its own here.
enum ProcessMetrics {
    private static let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    private static let startTime: Double = {
        // Field 22 of /proc/self/stat is the start in ticks after boot; btime in /proc/stat is the boot.
        let boot =
            (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) } ?? 0
        let ticks = statFields().flatMap { Double($0[19]) } ?? 0
        return boot + ticks / clockTicks
    }()
    private static let lastCPU = Mutex(0.0)

    static func collect() {
        guard let fields = statFields() else { return }
        // After the command's ")": index 0 is field 3 (state); utime 14, stime 15, vsize 23, rss 24.
        let cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / clockTicks
        let previous = lastCPU.withLock { last in
            defer { last = cpu }
            return last
        }
        MetricFamily.processCpuSecondsTotal.floatingPointCounter().increment(by: max(0, cpu - previous))
        MetricFamily.processVirtualMemoryBytes.gauge().record(Double(fields[20]) ?? 0)
        MetricFamily.processResidentMemoryBytes.gauge().record((Double(fields[21]) ?? 0) * pageSize)
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        MetricFamily.processOpenFds.gauge().record(fds)
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            MetricFamily.processMaxFds.gauge().record(Double(limit.rlim_cur))
        }
        MetricFamily.processStartTimeSeconds.gauge().record(startTime)
    }

    /// /proc/self/stat after the command name (which may hold spaces).
    private static func statFields() -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let end = text.lastIndex(of: ")") else {
            return nil
        }
        return text[text.index(after: end)...].split(separator: " ")
    }

}
