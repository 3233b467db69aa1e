import OHT50Core

/// The last poll of one module, published by the bus thread for non-RT readers.
public struct ModuleReading: Sendable, BitwiseCopyable {
    public static let capacity = 32
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    public var count: Int
    /// Monotonic time of the last successful poll; 0 before the first.
    public var at: UInt64

    public init() {
        storage = (0, 0, 0, 0, 0, 0, 0, 0)
        count = 0
        at = 0
    }

    /// Copies up to 32 registers.
    public mutating func set(_ registers: UnsafePointer<UInt16>, count: Int, at: UInt64) {
        self.count = min(count, Self.capacity)
        self.at = at
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress!.copyMemory(from: registers, byteCount: self.count * 2)
        }
    }

    public var registers: [UInt16] {
        withUnsafeBytes(of: storage) { raw in Array(raw.bindMemory(to: UInt16.self).prefix(count)) }
    }
}
