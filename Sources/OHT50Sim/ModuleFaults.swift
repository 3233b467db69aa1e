/// Faults a technician or a test injects into one simulated module at run time.
public struct ModuleFaults: Sendable, Equatable {
    /// Never answers.
    public var offline = false
    /// Answers this much later.
    public var delayMs = 0
    /// Every Nth reply carries a wrong CRC (0 = never).
    public var corruptCRCEvery = 0
    /// Answers every request with this exception.
    public var exception: ModbusExceptionCode?
    /// Sends this many junk bytes before each reply.
    public var junkBytes = 0

    public init() {}
}

/// An exception code as the simulator's command line takes it.
public typealias ModbusExceptionCode = UInt8
