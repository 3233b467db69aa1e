import Synchronization

/// `POST /api/v1/motion/stop` as DESIGN wants it: not a queued command but a count that anyone may
/// bump and that the safety thread (every cycle) and the bus thread (every pass) read. So a stop never
/// waits behind moves in the command ring, is never refused for a full ring, and reaches the drives
/// even while the safety thread is stalled.
public final class MotionStopSignal: Sendable {
    private let count = Atomic<UInt32>(0)
    /// Wakes the bus thread between its polls: raised by every stop request and by the safety thread
    /// when the drive order it publishes changes, so neither waits for the next poll.
    let busWakeup = RTWakeup()

    public init() {}

    /// Asks for a stop; returns the request's number (what `requests` reads once it is seen).
    @discardableResult
    public func request() -> UInt32 {
        let number = count.wrappingAdd(1, ordering: .releasing).newValue
        busWakeup.raise()
        return number
    }

    /// Stop requests so far.
    @inline(__always)
    public var requests: UInt32 { count.load(ordering: .acquiring) }
}
