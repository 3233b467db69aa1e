/// An output the safety thread drives (motion-enable relay, heartbeat, LEDs). `set` and `sense` run on
/// the RT thread: no allocation, no lock, no log; they report failure instead of throwing.
public protocol OutputLine: AnyObject, Sendable {
    /// Returns false when the write failed.
    func set(_ on: Bool) -> Bool
    /// The level the line holds now, read back on the safety thread before each cycle's write; nil when
    /// it cannot be told (then the line is only written). One caller: the safety thread.
    func sense() -> Bool?
    /// What the line reads now (the kernel's value, the file's content); nil when it cannot be read.
    /// Not for the RT thread: it may open a file.
    func readBack() -> Bool?
    var description: String { get }
}
