import OHT50Core

/// The E-stop line as the safety thread sees it. `sample()` runs on the RT thread every cycle: it must
/// not allocate, lock or log, and a failure is `.unreadable` (a trip), never "released".
public protocol EStopInput: AnyObject, Sendable {
    func sample() -> EStopSample
    /// For logs and status, e.g. "sysfs /sys/class/gpio/gpio59/value (active-low)".
    var description: String { get }
}
