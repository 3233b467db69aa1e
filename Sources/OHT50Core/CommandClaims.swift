import Synchronization

/// Who decides a queued command's fate: the safety thread by taking it, or its sender by withdrawing
/// it after its wait ran out. Exactly one wins, by compare-and-exchange on the command's slot, so a
/// sender that withdrew may answer "not done and will not be done" whatever the safety thread was
/// doing meanwhile (a stall between taking and replying included), and a sender that lost the race
/// knows the reply is coming.
///
/// A slot holds `id << 2 | fate`. Slots are reused modulo `capacity`, which must be at least the
/// command ring's: a command's slot cannot be reused while it is still in the ring.
public final class CommandClaims: Sendable {
    public static let capacity = 256
    private static let pending: UInt64 = 1
    private static let taken: UInt64 = 2
    private static let withdrawn: UInt64 = 3

    private let slots: InlineArray<256, Atomic<UInt64>>

    public init() { slots = InlineArray { _ in Atomic<UInt64>(0) } }

    /// Sender, before it pushes command `id`.
    public func register(_ id: UInt32) {
        slots[Self.slot(id)].store(UInt64(id) << 2 | Self.pending, ordering: .releasing)
    }

    /// Safety thread: true when the command is its to carry out; false when its sender withdrew it.
    /// Never blocks, locks or allocates.
    @inline(__always)
    public func take(_ id: UInt32) -> Bool {
        slots[Self.slot(id)].compareExchange(
            expected: UInt64(id) << 2 | Self.pending, desired: UInt64(id) << 2 | Self.taken, ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// Sender, when its wait ran out: true when the command will never be carried out; false when
    /// the safety thread took it first (its reply is coming).
    public func withdraw(_ id: UInt32) -> Bool {
        slots[Self.slot(id)].compareExchange(
            expected: UInt64(id) << 2 | Self.pending, desired: UInt64(id) << 2 | Self.withdrawn, ordering: .acquiringAndReleasing
        ).exchanged
    }

    @inline(__always)
    private static func slot(_ id: UInt32) -> Int { Int(id) & (capacity - 1) }
}
