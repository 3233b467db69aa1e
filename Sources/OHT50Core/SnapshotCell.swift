import Synchronization

/// A seqlock: one writer (the safety thread) publishes a value every cycle without waiting; any number
/// of non-RT readers copy a consistent version, retrying when they overlap a write. The writer never
/// blocks, locks or allocates.
///
/// The reader's copy races with the writer by design; the sequence check discards torn copies, which is
/// why `Value` must be plain bytes (`BitwiseCopyable`).
public final class SnapshotCell<Value: BitwiseCopyable>: @unchecked Sendable {
    private let sequence = Atomic<UInt64>(0)
    private let storage: UnsafeMutablePointer<Value>

    public init(_ initial: Value) {
        storage = .allocate(capacity: 1)
        storage.initialize(to: initial)
    }

    deinit { storage.deallocate() }

    /// Writer side: one thread only.
    @inline(__always)
    public func publish(_ value: Value) {
        let s = sequence.load(ordering: .relaxed)
        sequence.store(s &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        storage.pointee = value
        sequence.store(s &+ 2, ordering: .releasing)
    }

    /// Reader side: any thread.
    public func read() -> Value {
        while true {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 0 {
                let value = storage.pointee
                atomicMemoryFence(ordering: .acquiring)
                if sequence.load(ordering: .relaxed) == before { return value }
            }
        }
    }

    /// How many times a value was published.
    public var version: UInt64 { sequence.load(ordering: .acquiring) / 2 }
}
