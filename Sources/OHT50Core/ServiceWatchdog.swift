/// systemd's watchdog over the daemon (`WatchdogSec=` of oht50-firmware.service; the daemon sees it as
/// `WATCHDOG_USEC`). It is the backstop for a frozen RT thread: the daemon withholds `WATCHDOG=1` once it
/// judges a thread stalled or dead, and systemd kills it one `WatchdogSec=` later (safe-off follows). A
/// judgement slower than the watchdog itself would stretch that backstop beyond the unit's promise, so
/// the configuration's stall times must each come before it.
public struct ServiceWatchdog: Sendable, Equatable {
    public var ns: UInt64
    /// Where the value was read, for messages: "WATCHDOG_USEC" or the unit file that set `WatchdogSec=`.
    public var source: String

    public init(ns: UInt64, source: String) {
        self.ns = ns
        self.source = source
    }

    /// The daemon's own watchdog under systemd; nil without one (run by hand, `WatchdogSec=0`).
    public init?(environment: [String: String]) {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        self.init(ns: usec * 1_000, source: "WATCHDOG_USEC")
    }

    /// A `WatchdogSec=` value as systemd writes time spans: "600ms", "1s", "1.5s", "1min 30s", a bare number
    /// (seconds). nil for 0, "infinity", an overflow or text systemd would not take either.
    public init?(timeSpan: String, source: String) {
        guard let ns = Self.nanoseconds(timeSpan), ns > 0 else { return nil }
        self.init(ns: ns, source: source)
    }

    /// Whether a `WatchdogSec=` value turns the watchdog off (empty, 0 in any unit, `infinity`), rather
    /// than being one systemd would not take (and skips).
    public static func turnsOff(_ timeSpan: String) -> Bool {
        let text = timeSpan.trimmingWhitespace
        return text.isEmpty || text == "infinity" || nanoseconds(text) == 0
    }

    /// A systemd time span in nanoseconds; nil when systemd would not take it or it overflows.
    static func nanoseconds(_ timeSpan: String) -> UInt64? {
        let units: [(String, UInt64)] = [
            ("usec", 1_000), ("us", 1_000), ("msec", 1_000_000), ("ms", 1_000_000), ("seconds", 1_000_000_000),
            ("second", 1_000_000_000), ("sec", 1_000_000_000), ("s", 1_000_000_000), ("minutes", 60_000_000_000),
            ("minute", 60_000_000_000), ("min", 60_000_000_000), ("m", 60_000_000_000), ("hours", 3_600_000_000_000),
            ("hour", 3_600_000_000_000), ("hr", 3_600_000_000_000), ("h", 3_600_000_000_000), ("", 1_000_000_000),
        ]
        var total: UInt64 = 0
        var rest = Substring(timeSpan.trimmingWhitespace)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let whole = UInt64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // A fraction ("1.5s"): its digits scaled once the unit is known.
            var fraction = Substring("")
            if rest.first == "." {
                fraction = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
                guard !fraction.isEmpty else { return nil }
                rest = rest.dropFirst(1 + fraction.count)
            }
            rest = rest.drop { $0 == " " }
            let word = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = units.first(where: { $0.0 == word })?.1 else { return nil }
            var (part, overflow) = whole.multipliedReportingOverflow(by: scale)
            var place = scale
            for digit in fraction.prefix(9) where !overflow {
                place /= 10
                (part, overflow) = part.addingReportingOverflow(UInt64(digit.wholeNumberValue ?? 0) * place)
            }
            guard !overflow else { return nil }
            (total, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            rest = rest.dropFirst(word.count).drop { $0 == " " }
        }
        return total
    }

    /// "WatchdogSec=600ms (WATCHDOG_USEC)".
    public var description: String {
        let shown = ns % 1_000_000_000 == 0 ? "\(ns / 1_000_000_000)s" : ns % 1_000_000 == 0 ? "\(ns / 1_000_000)ms" : "\(ns / 1_000)us"
        return "WatchdogSec=\(shown) (\(source))"
    }

    /// Refuses a configuration whose safety-thread stall time or bus-thread dead time is not below the
    /// watchdog. `document` gives the keys' origins for the message.
    public func check(_ config: FirmwareConfig, document: ConfigNode) throws(ConfigError) {
        let watchdogMs = Int(ns / 1_000_000)
        let stall = config.safety.maxStallMs
        if UInt64(stall) * 1_000_000 >= ns {
            throw ConfigError(
                origin: document.origin(of: ["safety", "max_stall_ms"]), key: "safety.max_stall_ms", value: "\(stall)",
                problem:
                    "is not below the service's \(description): a frozen safety thread would keep motion-enable on for "
                    + "max_stall_ms and then the whole WatchdogSec= before systemd kills the daemon",
                allowed:
                    "\(2 * config.safety.cycleMs)–\(max(2 * config.safety.cycleMs, watchdogMs - 1)) ms, or a longer WatchdogSec= in a drop-in"
            )
        }
        guard !config.modules.isEmpty else { return }
        let dead = SafetyTimings.busDeadNs(config)
        if dead >= ns {
            let transaction = ModuleSettings.silentTransactionMs(on: config.bus)
            let deadMs = dead / 1_000_000
            // The dead time is three of the longer of the bus thread's nap and a silent transaction. When the
            // nap is the longer, no response timeout helps: only a longer watchdog does.
            let napRules = transaction <= BusSettings.longestNapMs
            let cause =
                napRules
                ? "three of the bus thread's \(BusSettings.longestNapMs) ms naps, which no setting shortens"
                : "three silent transactions of \(transaction) ms"
            throw ConfigError(
                origin: document.origin(of: ["bus", "response_timeout_ms"]), key: "bus.response_timeout_ms",
                value: "\(config.bus.responseTimeoutMs)",
                problem:
                    "makes the bus thread's dead time \(deadMs) ms (\(cause)) not below the "
                    + "service's \(description): a frozen bus thread would be called dead only after systemd's own deadline",
                allowed:
                    napRules
                    ? "only a WatchdogSec= above \(deadMs) ms in a drop-in"
                    : "a response timeout whose three silent transactions stay below \(watchdogMs) ms, or a WatchdogSec= above \(deadMs) ms"
            )
        }
    }
}

extension ConfigNode {
    /// Where the value at `path` came from; the nearest mapping's origin when the key is not written.
    public func origin(of path: [String]) -> ConfigOrigin {
        guard let key = path.first, case .mapping(let entries, _) = self,
            let entry = entries.last(where: { $0.key == key })
        else { return path.isEmpty ? origin : .builtIn }
        return entry.value.origin(of: Array(path.dropFirst()))
    }
}
