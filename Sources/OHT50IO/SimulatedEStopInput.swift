import OHT50Core
import Synchronization

/// The `simulated` backend: an in-process line for tests and benchmarks. A press is latched until the
/// next sample, like a gpiod edge event, so a press shorter than one cycle still trips.
public final class SimulatedEStopInput: EStopInput, Sendable {
    private let pressed = Atomic<Bool>(false)
    private let pressSeen = Atomic<Bool>(false)
    private let failing = Atomic<Bool>(false)

    public init() {}

    public func press() {
        pressed.store(true, ordering: .releasing)
        pressSeen.store(true, ordering: .releasing)
    }

    public func release() { pressed.store(false, ordering: .releasing) }

    /// Makes reads fail, as a vanished chip or file would.
    public func setFailing(_ on: Bool) { failing.store(on, ordering: .releasing) }

    public func sample() -> EStopSample {
        if failing.load(ordering: .acquiring) { return .unreadable }
        let edge = pressSeen.exchange(false, ordering: .acquiringAndReleasing)
        let isPressed = pressed.load(ordering: .acquiring)
        return EStopSample(level: isPressed ? .pressed : .released, pressEdge: edge, raw: isPressed ? 0 : 1)
    }

    public var description: String { "simulated (in-process)" }
}
