/// An output the safety thread drives (motion-enable relay, heartbeat, LEDs). `set` runs on the RT
/// thread: no allocation, no lock, no log; it reports failure instead of throwing.
public protocol OutputLine: AnyObject, Sendable {
    /// Returns false when the write failed.
    func set(_ on: Bool) -> Bool
    /// What the line reads now (the kernel's value, the file's content); nil when it cannot be read.
    /// Not for the RT thread: it may open a file.
    func readBack() -> Bool?
    var description: String { get }
}
