internal import CThreadControl
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// The machine's CPUs as the kernel lists them, and the placing of this process's threads on them.
public enum CPUAffinity {
    /// CPUs online and CPUs isolated from the scheduler (`isolcpus=`, `nohz_full=` lists), from sysfs.
    public static func topology(sysfs: String = "/sys/devices/system/cpu") -> (online: [Int], isolated: [Int]) {
        func list(_ name: String) -> [Int]? {
            (try? String(contentsOfFile: "\(sysfs)/\(name)", encoding: .utf8)).flatMap(CPUList.parse)
        }
        let online = list("online") ?? Array(0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return (online, list("isolated") ?? [])
    }

    /// Confines every thread of this process except `keep` (the RT threads) to `cpus`; threads made
    /// afterwards inherit it from their creator. Returns the threads that refused, as "tid: reason".
    public static func confineOthers(to cpus: [Int], keep: Set<Int32>) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var refused: [String] = []
        let cpus = cpus.map { Int32(truncatingIfNeeded: $0) }
        for tid in tasks.compactMap(Int32.init) where !keep.contains(tid) {
            let error = cpus.withUnsafeBufferPointer { oht50_set_affinity(tid, $0.baseAddress, Int32($0.count)) }
            // ESRCH: the thread ended meanwhile.
            if error != 0 && error != ESRCH { refused.append("\(tid): \(String(cString: strerror(error)))") }
        }
        return refused
    }

    /// The CPUs thread `tid` (0: the caller) may run on.
    public static func allowed(tid: Int32) -> [Int] {
        var cpus = [Int32](repeating: 0, count: 4_096)
        let n = oht50_get_affinity(tid, &cpus, Int32(cpus.count))
        return n > 0 ? cpus.prefix(Int(n)).map(Int.init) : []
    }

    /// The CPU thread `tid` of this process last ran on (field 39 of /proc/self/task/TID/stat).
    public static func lastCPU(tid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): field 39 is fields[36].
        return fields.count > 36 ? Int(fields[36]) : nil
    }
}

/// Where one side of the daemon runs, for `/health/detailed` and `/api/v1/system/status`.
public struct ThreadPlacementReport: Encodable, Sendable {
    /// The CPUs asked for (`cpu.*` after `auto`), nil when not pinned.
    public var pinned: [Int]?
    /// The CPUs the kernel lets it run on now.
    public var allowed: [Int]
    /// Where it ran last (RT threads only).
    public var lastCPU: Int?
    /// Why the placement did not hold, when it did not.
    public var problem: String?

    public static func of(_ identity: ThreadIdentity?) -> ThreadPlacementReport? {
        guard let identity, identity.tid != 0 else { return nil }
        let error = identity.placementError
        return ThreadPlacementReport(
            pinned: identity.requested, allowed: CPUAffinity.allowed(tid: identity.tid), lastCPU: CPUAffinity.lastCPU(tid: identity.tid),
            problem: error == 0 ? nil : "sched_setaffinity refused: \(String(cString: strerror(error)))")
    }
}

/// The placement of every side: what `cpu.*` and the machine decided, and what holds now.
public struct CPUPlacementReport: Encodable, Sendable {
    public var basis: String
    public var online: [Int]
    public var isolated: [Int]
    public var safetyThread: ThreadPlacementReport?
    public var busThread: ThreadPlacementReport?
    public var async: ThreadPlacementReport
    /// Configured CPUs that are not online here.
    public var missing: [Int]

    public init(plan: CPUPlacement, online: [Int], isolated: [Int], safety: ThreadIdentity?, bus: ThreadIdentity?, asyncProblem: String?) {
        basis = plan.basis
        self.online = online
        self.isolated = isolated
        safetyThread = .of(safety)
        busThread = .of(bus)
        async = ThreadPlacementReport(pinned: plan.async, allowed: CPUAffinity.allowed(tid: 0), lastCPU: nil, problem: asyncProblem)
        missing = plan.missing
    }
}
