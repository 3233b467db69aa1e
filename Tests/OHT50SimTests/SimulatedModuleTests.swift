import OHT50Core
import Testing

@testable import OHT50Sim

/// The simulated modules answer as the register maps in DESIGN say real ones do: the daemon, the probe
/// and the bench tests all trust these answers, so they are checked here on their own.
@Suite("Simulated module")
struct SimulatedModuleTests {
    static func read(_ module: SimulatedModule, _ start: UInt16, _ count: UInt16) -> [UInt16]? {
        let reply = module.reply(to: .readHoldingRegisters(start: start, count: count))
        guard reply.count == 3 + 2 * Int(count) + 2, reply[1] == 0x03, ModbusCRC.isValid(reply) else { return nil }
        return (0..<Int(count)).map { UInt16(reply[3 + 2 * $0]) << 8 | UInt16(reply[4 + 2 * $0]) }
    }

    static func exceptionCode(_ reply: [UInt8]) -> UInt8? { reply.count == 5 && reply[1] & 0x80 != 0 ? reply[2] : nil }

    @Test("the identity block decodes as the module's own type and address", arguments: [ModuleType.power, .motor])
    func identity(type: ModuleType) throws {
        let module = SimulatedModule(address: 7, type: type)
        let registers = try #require(Self.read(module, IdentityBlock.start, IdentityBlock.count))
        let identity = try #require(IdentityBlock(registers: registers))
        #expect(identity.moduleType == type)
        #expect(identity.deviceID & 0xFF == 7)
    }

    @Test("a drive enabled with a speed ramps to it by its acceleration step, reports running, and ramps back to 0 when disabled")
    func driveRamps() throws {
        let drive = SimulatedModule(address: 3, type: .motor)
        let base = RegisterMap.motorChannels[0]
        #expect(drive.reply(to: .writeMultipleRegisters(start: base + RegisterMap.motorEnableOffset, values: [1, 12])).count == 8)
        var speeds: [UInt16] = []
        for _ in 0..<4 {
            drive.tick(seconds: 0.01)
            speeds.append(drive.register(base + 6))
        }
        #expect(speeds == [5, 10, 12, 12])
        #expect(drive.register(base + 0x0B) == 1)
        #expect(drive.reply(to: .writeSingleRegister(address: base + RegisterMap.motorEnableOffset, value: 0)).count == 8)
        for _ in 0..<3 { drive.tick(seconds: 0.01) }
        #expect(drive.register(base + 6) == 0)
        #expect(drive.register(base + 0x0B) == 0)
    }

    @Test("a write to a register the map does not allow writing is exception 2 and changes nothing")
    func readOnlyRegister() {
        let power = SimulatedModule(address: 2, type: .power)
        let before = power.register(0)
        #expect(Self.exceptionCode(power.reply(to: .writeSingleRegister(address: 0, value: 999))) == 2)
        #expect(power.register(0) == before)
        #expect(Self.exceptionCode(power.reply(to: .readHoldingRegisters(start: 0xF0, count: 0x20))) == 2, "a read past the map")
    }

    @Test(
        "faults: refused writes are exception 2, ignored writes are acknowledged; neither is applied; an exception fault answers all"
    )
    func faults() {
        let drive = SimulatedModule(address: 3, type: .motor)
        let base = RegisterMap.motorChannels[0]
        let direction = base + RegisterMap.motorDirectionOffset
        drive.faults.refusedWrites = direction...direction
        #expect(Self.exceptionCode(drive.reply(to: .writeSingleRegister(address: direction, value: 2))) == 2)
        #expect(drive.register(direction) != 2)

        drive.faults.refusedWrites = nil
        drive.faults.writes = .ignored
        let ack = drive.reply(to: .writeSingleRegister(address: direction, value: 2))
        #expect(ack == RTUCodec.encodeWriteResponse(address: 3, request: .writeSingleRegister(address: direction, value: 2)))
        #expect(drive.register(direction) != 2)

        drive.faults.writes = .applied
        drive.faults.exception = 4
        #expect(Self.exceptionCode(drive.reply(to: .readHoldingRegisters(start: 0, count: 1))) == 4)
    }

    @Test("corrupt_crc_every N marks exactly every Nth reply")
    func corruptEvery() {
        let power = SimulatedModule(address: 2, type: .power)
        power.faults.corruptCRCEvery = 3
        #expect((1...9).map { _ in power.nextReplyIsCorrupt() } == [false, false, true, false, false, true, false, false, true])
    }

    @Test("writing the reset-errors register clears a module's alarm")
    func resetErrors() {
        let power = SimulatedModule(address: 2, type: .power)
        power.setAlarm(0x0004)
        #expect(power.register(0x0008) == 0x0004)
        #expect(power.reply(to: .writeSingleRegister(address: IdentityBlock.resetErrorsRegister, value: 1)).count == 8)
        #expect(power.register(0x0008) == 0)
    }
}

@Suite("Simulated bus framing")
struct SimulatedBusFramingTests {
    @Test("frames are cut from a byte stream that arrives in pieces; two frames back to back are two frames")
    func cutsFrames() {
        let read = RTUCodec.encode(.readHoldingRegisters(start: 0, count: 4), address: 2)
        let write = RTUCodec.encode(.writeMultipleRegisters(start: 0x10, values: [1, 2, 3]), address: 3)
        var buffer = Array(read.prefix(3))
        guard case .incomplete = SimulatedBus.cutFrame(&buffer) else {
            Issue.record("a partial frame is incomplete")
            return
        }
        buffer += read.dropFirst(3) + write
        guard case .frame(let first) = SimulatedBus.cutFrame(&buffer) else {
            Issue.record("first frame")
            return
        }
        #expect(Array(first) == read)
        guard case .frame(let second) = SimulatedBus.cutFrame(&buffer) else {
            Issue.record("second frame")
            return
        }
        #expect(Array(second) == write)
        #expect(buffer.isEmpty)
    }

    @Test("an unknown function code is garbage and the buffer is dropped, to resynchronise at the next gap")
    func garbage() {
        var buffer: [UInt8] = [2, 0x42, 0, 0, 0, 1, 0xAA, 0xBB] + RTUCodec.encode(.readHoldingRegisters(start: 0, count: 1), address: 2)
        guard case .garbage = SimulatedBus.cutFrame(&buffer) else {
            Issue.record("garbage")
            return
        }
        #expect(buffer.isEmpty)
    }
}

@Suite("Simulated drive's host watchdog")
struct SimulatedHostWatchdogTests {
    static let base = RegisterMap.motorChannels[0]

    static func running(_ watchdogMs: UInt16) -> SimulatedModule {
        let drive = SimulatedModule(address: 3, type: .motor)
        drive.write(RegisterMap.motorHostWatchdogRegister, [watchdogMs])
        drive.write(base + RegisterMap.motorEnableOffset, [1, 100])
        drive.write(RegisterMap.motorChannels[1] + RegisterMap.motorEnableOffset, [1, 100])
        return drive
    }

    @Test("without control writes for longer than 0x0D the drive sets enable 0 and speed 0 on both channels and status bit 15")
    func expires() {
        let drive = Self.running(200)
        for _ in 0..<19 { drive.tick(seconds: 0.01) }
        #expect(drive.register(Self.base + RegisterMap.motorEnableOffset) == 1 && !drive.hostWatchdogExpired)
        // Reads do not refresh it.
        _ = drive.reply(to: .readHoldingRegisters(start: 0, count: 0x1D))
        for _ in 0..<2 { drive.tick(seconds: 0.01) }
        #expect(drive.hostWatchdogExpired)
        // What it stopped is kept for the simulator's log line: both channels were enabled at speed 100.
        #expect(drive.hostWatchdogStoppedFrom.hasPrefix("channel 1 enable 1 speed 100 actual "), "\(drive.hostWatchdogStoppedFrom)")
        #expect(drive.hostWatchdogStoppedFrom.contains(", channel 2 enable 1 speed 100 actual "), "\(drive.hostWatchdogStoppedFrom)")
        for base in RegisterMap.motorChannels {
            #expect(drive.register(base + RegisterMap.motorEnableOffset) == 0)
            #expect(drive.register(base + 2) == 0)
        }
        // The drive ramps down to a stop; the expiry stays visible until 0x0D is written again.
        for _ in 0..<30 { drive.tick(seconds: 0.01) }
        #expect(drive.register(Self.base + 6) == 0 && drive.hostWatchdogExpired)
        drive.write(RegisterMap.motorHostWatchdogRegister, [200])
        #expect(!drive.hostWatchdogExpired)
    }

    @Test("a write of enable, speed or direction refreshes it; 0x0D = 0 turns it off")
    func refreshAndOff() {
        let drive = Self.running(200)
        for _ in 0..<10 {
            for _ in 0..<15 { drive.tick(seconds: 0.01) }
            drive.write(Self.base + 2, [100])
        }
        #expect(!drive.hostWatchdogExpired && drive.register(Self.base + RegisterMap.motorEnableOffset) == 1)
        let off = Self.running(0)
        for _ in 0..<1_000 { off.tick(seconds: 0.01) }
        #expect(!off.hostWatchdogExpired && off.register(Self.base + RegisterMap.motorEnableOffset) == 1)
    }
}
