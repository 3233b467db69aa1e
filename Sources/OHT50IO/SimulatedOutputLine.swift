import Synchronization

/// An in-process output for tests: remembers the last value and how often it was written.
package final class SimulatedOutputLine: OutputLine, Sendable {
    private let value = Atomic<Bool>(false)
    private let writes = Atomic<Int>(0)
    private let failing = Atomic<Bool>(false)

    public init() {}

    package var isOn: Bool { value.load(ordering: .acquiring) }
    package var writeCount: Int { writes.load(ordering: .acquiring) }
    package func setFailing(_ on: Bool) { failing.store(on, ordering: .releasing) }

    public func set(_ on: Bool) -> Bool {
        if failing.load(ordering: .acquiring) { return false }
        value.store(on, ordering: .releasing)
        writes.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    public func readBack() -> Bool? { failing.load(ordering: .acquiring) ? nil : isOn }

    public func sense() -> Bool? { readBack() }

    /// Drives the line from outside, as a pinctrl reset or a writer in group gpio would.
    package func force(_ on: Bool) { value.store(on, ordering: .releasing) }

    public var description: String { "simulated (in-process)" }
}
