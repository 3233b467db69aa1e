/// `cpu.*`: where the safety thread, the bus thread and everything else (HTTP, storage, metrics — the
/// async side) may run. Each is `auto`, `none` (not pinned: wherever the kernel puts it) or a CPU list
/// as the kernel writes them (`3`, `2-3`, `0,2-3`).
public struct CPUSettings: Sendable, Equatable {
    public enum Choice: Sendable, Equatable, CustomStringConvertible {
        case auto
        case none
        case cpus([Int])

        public var description: String {
            switch self {
            case .auto: "auto"
            case .none: "none"
            case .cpus(let list): CPUList.format(list)
            }
        }
    }

    public var safety = Choice.auto
    public var bus = Choice.auto
    public var async = Choice.auto

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> CPUSettings {
        var s = CPUSettings()
        s.safety = try choice(&m, "safety") ?? s.safety
        s.bus = try choice(&m, "bus") ?? s.bus
        s.async = try choice(&m, "async") ?? s.async
        try m.rejectUnknownKeys()
        return s
    }

    private static func choice(_ m: inout ConfigMapping, _ key: String) throws -> Choice? {
        let allowed = "auto, none, or a CPU list such as 3, 2-3 or 0,2-3"
        guard let (text, origin) = try m.scalar(key, allowed: allowed) else { return nil }
        switch text {
        case "auto": return .auto
        case "none": return Choice.none
        default:
            guard let list = CPUList.parse(text), !list.isEmpty, list.allSatisfy({ $0 < 4096 }) else {
                throw ConfigError(origin: origin, key: m.qualified(key), value: text, problem: "is not a CPU list", allowed: allowed)
            }
            return .cpus(list)
        }
    }
}

/// The kernel's CPU list syntax (`/sys/devices/system/cpu/online`, `isolcpus=`): "0-3,6".
public enum CPUList {
    public static func parse(_ text: String) -> [Int]? {
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty { return [] }
        var cpus: [Int] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), low >= 0 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, high - low < 4096 else { return nil }
            cpus += Array(low...high)
        }
        return Array(Set(cpus)).sorted()
    }

    public static func format(_ cpus: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        let sorted = Array(Set(cpus)).sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// Where each side runs, decided from the settings and the machine: the CPUs online and those the
/// kernel keeps free of other tasks (`isolcpus=` / `isolated`).
///
/// `auto`: with isolated CPUs, the safety thread gets the highest and the bus thread the next (or the
/// same when only one is isolated), and the async side the CPUs that are not isolated. Without: on 4 or
/// more CPUs the safety and bus threads get the last two, the async side the rest; on 2 or 3 both RT
/// threads share the last CPU (the safety thread preempts the bus thread, which mostly waits for the
/// line) and the async side gets the others; on 1 CPU nothing is pinned.
public struct CPUPlacement: Sendable, Equatable {
    /// nil: not pinned.
    public var safety: [Int]?
    public var bus: [Int]?
    public var async: [Int]?
    /// Why: "isolated CPUs 2-3", "last CPUs of 8", "configured", "one CPU: nothing pinned"…
    public var basis: String
    /// Configured CPUs that are not online (left out; a CPU list left empty means not pinned).
    public var missing: [Int]

    public init(safety: [Int]?, bus: [Int]?, async: [Int]?, basis: String, missing: [Int] = []) {
        self.safety = safety
        self.bus = bus
        self.async = async
        self.basis = basis
        self.missing = missing
    }

    public static func plan(_ settings: CPUSettings, online: [Int], isolated: [Int]) -> CPUPlacement {
        let online = online.sorted()
        let isolated = isolated.filter(online.contains).sorted()
        var auto: (safety: [Int]?, bus: [Int]?, async: [Int]?, basis: String)
        if let last = isolated.last {
            let rest = online.filter { !isolated.contains($0) }
            let bus = isolated.count >= 2 ? isolated[isolated.count - 2] : last
            auto = ([last], [bus], rest.isEmpty ? nil : rest, "isolated CPUs \(CPUList.format(isolated))")
        } else if online.count >= 4 {
            auto = (
                [online[online.count - 1]], [online[online.count - 2]], Array(online.dropLast(2)), "the last two of \(online.count) CPUs"
            )
        } else if online.count >= 2 {
            auto = ([online.last!], [online.last!], Array(online.dropLast()), "the last of \(online.count) CPUs, shared by both RT threads")
        } else {
            auto = (nil, nil, nil, "one CPU: nothing pinned")
        }
        var missing: [Int] = []
        func resolve(_ choice: CPUSettings.Choice, _ automatic: [Int]?) -> [Int]? {
            switch choice {
            case .auto: return automatic
            case .none: return nil
            case .cpus(let list):
                missing += list.filter { !online.contains($0) }
                let usable = list.filter(online.contains)
                return usable.isEmpty ? nil : usable
            }
        }
        let configured = [settings.safety, settings.bus, settings.async].contains { $0 != .auto }
        return CPUPlacement(
            safety: resolve(settings.safety, auto.safety), bus: resolve(settings.bus, auto.bus),
            async: resolve(settings.async, auto.async),
            basis: configured ? "configured (auto: \(auto.basis))" : auto.basis, missing: Array(Set(missing)).sorted())
    }
}
