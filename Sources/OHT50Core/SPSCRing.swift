import Synchronization

/// A fixed-capacity single-producer/single-consumer queue between two threads, one of which may be
/// real-time. Storage is allocated once; `push` and `pop` never block, lock or allocate. A full ring
/// drops the new element and counts it: the producer is never made to wait.
///
/// Exactly one thread may push and exactly one may pop; non-RT code with several producers or
/// consumers serialises its own side (see `CommandChannel`).
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Element>
    private let mask: Int
    public let capacity: Int
    /// Index of the next element to pop; written by the consumer only.
    private let head = Atomic<Int>(0)
    /// Index of the next free slot; written by the producer only.
    private let tail = Atomic<Int>(0)
    private let droppedCount = Atomic<UInt64>(0)

    public init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "SPSCRing capacity must be a power of two")
        self.capacity = capacity
        self.mask = capacity - 1
        // Every byte is written once here, so no page of the ring is first touched (faulted in) by an
        // RT thread: memory is locked on fault (MemoryLock), not populated up front.
        let bytes = capacity * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: MemoryLayout<Element>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        self.storage = raw.bindMemory(to: Element.self, capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// Producer side. Returns false, and counts a drop, when the ring is full.
    @inline(__always) @discardableResult
    public func push(_ element: Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t &- head.load(ordering: .acquiring) >= capacity {
            droppedCount.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        storage[t & mask] = element
        tail.store(t &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer side.
    @inline(__always)
    public func pop() -> Element? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let element = storage[h & mask]
        head.store(h &+ 1, ordering: .releasing)
        return element
    }

    /// Elements dropped because the ring was full.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// An estimate from either side; exact only when the other side is idle.
    public var count: Int { tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring) }
}
