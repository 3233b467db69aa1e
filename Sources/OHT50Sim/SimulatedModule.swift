import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// One module on the simulated bus: the register map of its type with living values (supply voltage
/// drifting, drive speed ramping toward its command), the identity block, and injectable faults.
/// Not thread-safe: `SimulatedBus` serialises access.
public final class SimulatedModule: @unchecked Sendable {
    public let address: UInt8
    public let type: ModuleType
    public var faults = ModuleFaults()
    private(set) var registers = [UInt16](repeating: 0, count: 0x100)
    private var replies = 0
    private var elapsed: Double = 0
    /// Seconds since the master last wrote enable, speed or direction (the host watchdog's clock).
    private var sinceControlWrite: Double = 0
    /// The motor's real speed per channel while its sensor is dead (`faults.deadSpeedSensor`): the
    /// registers read 0 meanwhile, and get it back when the sensor is whole again.
    private var turning: [Int]?

    public init(address: UInt8, type: ModuleType) {
        self.address = address
        self.type = type
        let id = IdentityBlock.start
        registers[Int(id) + 0] = 0x5000 | UInt16(address)
        registers[Int(id) + 1] = 0x0102
        registers[Int(id) + 5] = 7
        registers[Int(id) + 7] = type.code
        let name = Array(String(type.rawValue.prefix(4)).uppercased().utf8) + [0, 0, 0, 0]
        registers[Int(id) + 8] = UInt16(name[0]) << 8 | UInt16(name[1])
        registers[Int(id) + 9] = UInt16(name[2]) << 8 | UInt16(name[3])
        registers[Int(id) + 10] = 0x0100
        registers[Int(id) + 11] = 0x0001
        registers[Int(id) + 12] = UInt16(address) * 1000
        registers[Int(id) + 13] = 2025
        registers[Int(id) + 14] = 0x0115
        if type == .power {
            registers[0] = 240
            registers[1] = 12
            registers[2] = 315
            registers[4] = 1
        }
        if type == .motor {
            for base in RegisterMap.motorChannels {
                registers[Int(base + 0x03)] = 5
                registers[Int(base + 0x08)] = 120
            }
        }
    }

    /// Power alarm bits (0x0008) or, for a drive, the error register of channel 1.
    package func setAlarm(_ value: UInt16) {
        switch type {
        case .power: registers[0x0008] = value
        case .motor: registers[Int(RegisterMap.motorErrorOffset)] = value
        default: registers[Int(IdentityBlock.start) + 3] = value
        }
    }

    public func register(_ address: UInt16) -> UInt16 { registers[Int(address) & 0xFF] }

    /// Sets a register as the module itself would (no writability check): a changing value for tests.
    public func set(_ address: UInt16, to value: UInt16) { registers[Int(address) & 0xFF] = value }

    /// Advances the living values by `seconds`.
    public func tick(seconds: Double) {
        elapsed += seconds
        switch type {
        case .power:
            registers[0] = UInt16(240 + 3 * sin(elapsed / 5))
            registers[1] = UInt16(12 + 2 * sin(elapsed / 3))
            registers[2] = UInt16(315 + 5 * sin(elapsed / 60))
        case .motor:
            let channels = RegisterMap.motorChannels.map(Int.init)
            if faults.deadSpeedSensor && turning == nil { turning = channels.map { Int(registers[$0 + 6]) } }
            if !faults.deadSpeedSensor, let speeds = turning {
                for (channel, base) in channels.enumerated() { registers[base + 6] = UInt16(speeds[channel]) }
                turning = nil
            }
            for (channel, base) in channels.enumerated() {
                let target = registers[base + 1] != 0 ? Int(registers[base + 2]) : 0
                let actual = turning?[channel] ?? Int(registers[base + 6])
                // The ramp register is units per 10 ms of the drive's own time, however often it is ticked.
                let step = max(1, Int((seconds / 0.01 * Double(max(1, registers[base + 3])) + 1e-9).rounded(.down)))
                if faults.coasting && target < actual { continue }
                let speed = actual < target ? min(target, actual + step) : max(target, actual - step)
                turning?[channel] = speed
                registers[base + 6] = turning == nil ? UInt16(speed) : 0
                let expired = registers[base + 0x0B] & RegisterMap.hostWatchdogExpiredBit
                registers[base + 0x0B] = (registers[base + 6] != 0 ? 1 : 0) | expired
            }
            tickHostWatchdog(seconds: seconds)
        default:
            break
        }
    }

    /// DESIGN's drive host watchdog (0x0D, ms, 0 = off): no enable/speed/direction write for that long
    /// and the drive stops itself — enable 0 and speed 0 on both channels, status bit 15.
    private func tickHostWatchdog(seconds: Double) {
        let limitMs = registers[Int(RegisterMap.motorHostWatchdogRegister)]
        guard limitMs > 0 else { return }
        sinceControlWrite += seconds
        let status = Int(RegisterMap.motorStatusOffset)
        guard sinceControlWrite * 1000 > Double(limitMs), registers[status] & RegisterMap.hostWatchdogExpiredBit == 0 else { return }
        hostWatchdogStoppedFrom = RegisterMap.motorChannels.map(Int.init).enumerated().map { channel, base in
            "channel \(channel + 1) enable \(registers[base + Int(RegisterMap.motorEnableOffset)]) speed \(registers[base + 2]) "
                + "actual \(registers[base + 6])"
        }.joined(separator: ", ")
        for base in RegisterMap.motorChannels.map(Int.init) {
            registers[base + Int(RegisterMap.motorEnableOffset)] = 0
            registers[base + 2] = 0
        }
        registers[status] |= RegisterMap.hostWatchdogExpiredBit
    }

    /// What the drive was doing when its host watchdog last stopped it (enable, commanded and actual speed
    /// per channel), so a log shows whether the watchdog stopped a moving drive.
    public private(set) var hostWatchdogStoppedFrom = ""

    /// Whether the host watchdog has stopped this drive since 0x0D was last written.
    public var hostWatchdogExpired: Bool {
        registers[Int(RegisterMap.motorStatusOffset)] & RegisterMap.hostWatchdogExpiredBit != 0
    }

    /// The reply to a request addressed to this module, before faults that act on the wire.
    func reply(to request: ModbusRequest) -> [UInt8] {
        if let code = faults.exception, let exception = ModbusException(rawValue: code) {
            return RTUCodec.encodeException(address: address, function: request.functionCode, exception: exception)
        }
        switch request {
        case .readHoldingRegisters(let start, let count), .readInputRegisters(let start, let count):
            guard count >= 1, count <= 125, Int(start) + Int(count) <= registers.count else {
                return RTUCodec.encodeException(address: address, function: request.functionCode, exception: .illegalDataAddress)
            }
            return RTUCodec.encodeReadResponse(
                address: address, function: request.functionCode, registers: Array(registers[Int(start)..<Int(start) + Int(count)]))
        case _ where refuses(request):
            return RTUCodec.encodeException(address: address, function: request.functionCode, exception: .illegalDataAddress)
        case _ where request.isWrite && faults.writes == .ignored:
            return RTUCodec.encodeWriteResponse(address: address, request: request)
        case .writeSingleRegister(let register, let value):
            guard write(register, [value]) else {
                return RTUCodec.encodeException(address: address, function: request.functionCode, exception: .illegalDataAddress)
            }
            return RTUCodec.encodeWriteResponse(address: address, request: request)
        case .writeMultipleRegisters(let start, let values):
            guard write(start, values) else {
                return RTUCodec.encodeException(address: address, function: request.functionCode, exception: .illegalDataAddress)
            }
            return RTUCodec.encodeWriteResponse(address: address, request: request)
        }
    }

    /// Whether the `refusedWrites` fault answers this request with an exception.
    private func refuses(_ request: ModbusRequest) -> Bool {
        guard let refused = faults.refusedWrites else { return false }
        switch request {
        case .writeSingleRegister(let register, _): return refused.contains(register)
        case .writeMultipleRegisters(let start, let values):
            return !values.isEmpty && refused.overlaps(start...start + UInt16(values.count - 1))
        case .readHoldingRegisters, .readInputRegisters: return false
        }
    }

    /// Writes that set a motor channel's enable to 1: a test's proof that a drive was never told to run.
    public private(set) var enableWrites = 0

    /// Applies a write; false when it touches a register the map does not allow writing.
    @discardableResult
    func write(_ start: UInt16, _ values: [UInt16]) -> Bool {
        let map = RegisterMap.of(type)
        for offset in values.indices {
            let a = start + UInt16(offset)
            let writable =
                map.fields.contains { $0.address == a && $0.writable } || a == IdentityBlock.resetErrorsRegister
                || ![.power, .motor].contains(type)
            guard writable, Int(a) < registers.count else { return false }
        }
        for (offset, value) in values.enumerated() {
            let a = Int(start) + offset
            if a == Int(IdentityBlock.resetErrorsRegister) {
                setAlarm(0)
                registers[Int(IdentityBlock.start) + 3] = 0
            } else {
                registers[a] = value
            }
            if type == .motor && value != 0 && RegisterMap.motorChannels.contains(where: { Int($0 + RegisterMap.motorEnableOffset) == a }) {
                enableWrites += 1
            }
            if type == .motor && RegisterMap.hostWatchdogRefreshRegisters.contains(UInt16(a)) { sinceControlWrite = 0 }
            if type == .motor && a == Int(RegisterMap.motorHostWatchdogRegister) {
                sinceControlWrite = 0
                registers[Int(RegisterMap.motorStatusOffset)] &= ~RegisterMap.hostWatchdogExpiredBit
            }
        }
        return true
    }

    /// Counts a reply and says whether this one gets a corrupted CRC.
    func nextReplyIsCorrupt() -> Bool {
        replies += 1
        return faults.corruptCRCEvery > 0 && replies % faults.corruptCRCEvery == 0
    }
}
