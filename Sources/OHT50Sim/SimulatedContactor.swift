import FoundationEssentials
import OHT50Core
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The motion-enable relay of `oht50d --simulate` with a contactor feedback configured: a thread that
/// reads the motion-enable file every few milliseconds and, `pullInMs` after it changes, writes the
/// feedback file as the relay's linked NC contact would read (1 while dropped out, inverted when
/// `activeLow`). `echo 1 > <data-dir>/sim/contactor-welded` welds it: the feedback then stays pulled in
/// whatever the output does, until the file says 0 again.
public final class SimulatedContactor: Sendable {
    public let motionEnablePath: String
    public let feedbackPath: String
    public let weldedPath: String
    private let activeLow: Bool
    private let delayMs: Int
    private let stopped = Atomic<Bool>(false)

    /// Writes the feedback dropped out and starts following the output.
    public init(motionEnablePath: String, feedbackPath: String, weldedPath: String, activeLow: Bool, delayMs: Int = 10) throws {
        self.motionEnablePath = motionEnablePath
        self.feedbackPath = feedbackPath
        self.weldedPath = weldedPath
        self.activeLow = activeLow
        self.delayMs = delayMs
        try Self.write(weldedPath, "0\n")
        try Self.write(feedbackPath, line(pulledIn: false))
        DetachedThread.start(name: "oht50-sim-relay") { [self] in follow() }
    }

    /// The feedback file's text for a relay state.
    public func line(pulledIn: Bool) -> String { (pulledIn == activeLow) ? "1\n" : "0\n" }

    public func stop() { stopped.store(true, ordering: .releasing) }

    private func follow() {
        var shown = false
        var wantedSince: Date?
        while !stopped.load(ordering: .acquiring) {
            let on = Self.read(motionEnablePath) == "1"
            let welded = Self.read(weldedPath) == "1"
            let wanted = on || welded
            if wanted != shown {
                let since = wantedSince ?? Date()
                wantedSince = since
                if welded || Date().timeIntervalSince(since) * 1_000 >= Double(delayMs) {
                    try? Self.write(feedbackPath, line(pulledIn: wanted))
                    shown = wanted
                    wantedSince = nil
                }
            } else {
                wantedSince = nil
            }
            usleep(2_000)
        }
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmed
    }

    /// Whole or not at all: the daemon reads the file every cycle.
    private static func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
