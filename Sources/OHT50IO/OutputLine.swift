/// An output the safety thread drives (motion-enable relay, heartbeat, LEDs). `set` runs on the RT
/// thread: no allocation, no lock, no log; it reports failure instead of throwing.
public protocol OutputLine: AnyObject, Sendable {
    /// Returns false when the write failed.
    func set(_ on: Bool) -> Bool
    var description: String { get }
}
