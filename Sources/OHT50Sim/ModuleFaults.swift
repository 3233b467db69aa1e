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
    /// What happens to write requests (reads are answered as usual).
    public var writes = WriteFault.applied
    /// Writes touching these registers are answered with exception 2 (illegal data address) and not
    /// applied: a drive that refuses one register, e.g. direction, or one channel.
    public var refusedWrites: ClosedRange<UInt16>?
    /// A drive whose actual speed (0x06/0x16) does not fall when it is told to stop: it keeps turning
    /// with enable 0 and speed 0 read back (a failed brake, a drive that ignores its commands).
    public var coasting = false
    /// A drive whose speed sensor is dead: the actual speed (0x06/0x16) reads 0 whatever the motor does,
    /// while the motor still turns as commanded (a broken encoder, an open sensor wire).
    public var deadSpeedSensor = false

    /// A drive whose writes fail while its reads still work: the case a stop must be read back for.
    public enum WriteFault: String, Sendable, CaseIterable {
        /// Written and answered, as a healthy module does.
        case applied
        /// Answered as written, but the registers keep their values (a stuck drive, a firmware fault).
        case ignored
        /// Not answered at all.
        case unanswered
    }

    public init() {}
}

/// An exception code as the simulator's command line takes it.
public typealias ModbusExceptionCode = UInt8
