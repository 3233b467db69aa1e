import OHT50Core
import Synchronization

/// The `simulated` backend: an in-process line for tests and benchmarks. A press is latched until the
/// next sample, like a gpiod edge event, so a press shorter than one cycle still trips.
package final class SimulatedEStopInput: EStopInput, Sendable {
    private let pressed = Atomic<Bool>(false)
    /// Monotonic ns of the first press not yet sampled, 0 when none: the simulated "kernel timestamp".
    private let pressAt = Atomic<UInt64>(0)
    private let failing = Atomic<Bool>(false)

    public init() {}

    public func press() {
        let at = max(1, MonotonicClock.now())
        _ = pressAt.compareExchange(expected: 0, desired: at, ordering: .acquiringAndReleasing)
        pressed.store(true, ordering: .releasing)
    }

    public func release() { pressed.store(false, ordering: .releasing) }

    /// Makes reads fail, as a vanished chip or file would.
    package func setFailing(_ on: Bool) { failing.store(on, ordering: .releasing) }

    public func sample() -> EStopSample {
        if failing.load(ordering: .acquiring) { return .unreadable }
        let edgeAt = pressAt.exchange(0, ordering: .acquiringAndReleasing)
        let isPressed = pressed.load(ordering: .acquiring)
        return EStopSample(level: isPressed ? .pressed : .released, pressEdge: edgeAt != 0, raw: isPressed ? 0 : 1, edgeAt: edgeAt)
    }

    public var description: String { "simulated (in-process)" }
}
