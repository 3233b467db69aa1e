import OHT50Core
import Synchronization

/// The `sysfs` backend: a value file read every cycle (the runbook's `/sys/class/gpio/gpio59/value`;
/// tests and `--simulate` use a plain file). With the line's `edge` set to `both` (`oht50d export-gpio`
/// sets it) the kernel also flags every change on the kept-open file (POLLPRI): a line that reads
/// released now and read released last cycle, with a change between, was pressed for less than a
/// cycle, and that press trips. Without `edge` (or on a plain file) only the level is seen.
public final class SysfsEStopInput: EStopInput, @unchecked Sendable {
    private let file: SysfsValueFile
    private let activeLow: Bool
    /// `echo 0 > value` on a plain file truncates before it writes; a reader can see it empty in
    /// between. Sysfs never reads empty. Tolerate a few cycles of it, then call it a fault.
    private static let emptyReadTolerance = 20
    private var emptyReads = 0
    private var lastRaw: Int8 = -1
    /// The last sample read released: a change signalled since, with released again now, was a press.
    private var releasedBefore = false

    /// Checks the file once so that a wrong path fails at start (exit 69) rather than as a trip. `role`
    /// names the line in errors: an E-stop channel or the contactor feedback.
    public init(path: String, activeLow: Bool, role: String = "E-stop input (estop.sysfs_path)") throws(HardwareError) {
        file = SysfsValueFile(path: path)
        self.activeLow = activeLow
        switch file.read() {
        case .value(let raw):
            lastRaw = raw
            releasedBefore = EStopSample.reading(raw: raw, activeLow: activeLow).level == .released
        case .empty, .invalid:
            throw HardwareError(
                role: role, device: path, problem: "does not hold 0 or 1",
                hint: "check that it is a GPIO value file")
        case .failed(let e):
            throw HardwareError(
                role: role, device: path,
                problem: SystemCallError(call: "open", subject: path, errno: e).description,
                hint: "check that the GPIO is exported (oht50d export-gpio, or echo N > /sys/class/gpio/export) and readable by this user",
                mayAppear: HardwareError.mayAppear(errno: e))
        }
    }

    public func sample() -> EStopSample {
        let changed = file.changedSinceRead()
        switch file.read() {
        case .value(let raw):
            emptyReads = 0
            lastRaw = raw
            var sample = EStopSample.reading(raw: raw, activeLow: activeLow)
            let releasedNow = sample.level == .released
            if changed && releasedBefore && releasedNow { sample.pressEdge = true }
            releasedBefore = releasedNow
            return sample
        case .empty:
            emptyReads += 1
            if emptyReads <= Self.emptyReadTolerance && lastRaw >= 0 {
                return .reading(raw: lastRaw, activeLow: activeLow)
            }
            releasedBefore = false
            return .unreadable
        case .invalid, .failed:
            releasedBefore = false
            return .unreadable
        }
    }

    public var description: String { "sysfs \(file.path) (\(activeLow ? "active-low" : "active-high"))" }
}
