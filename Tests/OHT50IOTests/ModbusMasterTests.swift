import Foundation
import OHT50Core
import OHT50Sim
import OHT50TestSupport
import Synchronization
import Testing

@testable import OHT50IO

/// libmodbus over a real pty against the simulator, which frames with Core's codec: the two
/// implementations have to agree byte for byte.
@Suite("Modbus master against the simulator")
struct ModbusMasterTests {
    static func bus() throws -> (SimulatedBus, ModbusMaster) {
        let bus = try SimulatedBus(modules: [SimulatedModule(address: 2, type: .power), SimulatedModule(address: 3, type: .motor)])
        var settings = BusSettings()
        settings.port = bus.terminal.path
        return (bus, try ModbusMaster(settings: settings))
    }

    static func read(_ master: ModbusMaster, _ address: UInt8, _ start: UInt16, _ count: Int) -> (TransactionOutcome, [UInt16]) {
        var registers = [UInt16](repeating: 0, count: count)
        let outcome = registers.withUnsafeMutableBufferPointer {
            master.read(address: address, start: start, count: count, into: $0.baseAddress!)
        }
        return (outcome, registers)
    }

    static func identity(of bus: SimulatedBus, _ address: UInt8) -> [UInt16] {
        bus.withModule(address) { m in (0..<16).map { m.register(IdentityBlock.start + UInt16($0)) } } ?? []
    }

    @Test("reads the identity block and decodes it to the configured type")
    func identity() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        let (outcome, registers) = Self.read(master, 3, IdentityBlock.start, Int(IdentityBlock.count))
        #expect(outcome == .ok)
        let identity = try #require(IdentityBlock(registers: registers))
        #expect(identity.moduleType == .motor)
        #expect(identity.deviceID == 0x5003)
        #expect(identity.name == "MOTO")
        #expect(identity.firmwareVersion == "1.2")
    }

    @Test("power registers decode with units")
    func powerValues() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        let map = RegisterMap.power
        let (outcome, registers) = Self.read(master, 2, map.pollStart, Int(map.pollCount))
        #expect(outcome == .ok)
        let voltage = try #require(map.decode(registers).first { $0.name == "voltage" })
        #expect(voltage.unit == "V")
        #expect((20.0...28.0).contains(voltage.value))
    }

    @Test("an absent address times out, and the next transaction still succeeds")
    func absentAddress() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        #expect(Self.read(master, 9, 0, 2).0 == .timeout)
        #expect(Self.read(master, 2, 0, 2).0 == .ok)
    }

    @Test("injected faults arrive in the right class: exception, CRC, offline")
    func faults() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        bus.withModule(3) { $0.faults.exception = 4 }
        #expect(Self.read(master, 3, 0, 2).0 == .exception(4))
        bus.withModule(3) {
            $0.faults = ModuleFaults()
            $0.faults.corruptCRCEvery = 1
        }
        #expect(Self.read(master, 3, 0, 2).0 == .crc)
        bus.withModule(3) {
            $0.faults = ModuleFaults()
            $0.faults.offline = true
        }
        #expect(Self.read(master, 3, 0, 2).0 == .timeout)
        bus.withModule(3) { $0.faults = ModuleFaults() }
        #expect(Self.read(master, 3, 0, 2).0 == .ok)
    }

    @Test("writes reach the drive and read back; a write to a read-only register is an exception")
    func writes() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        #expect(master.write(address: 3, start: 0x01, values: [1, 200]) == .ok)
        #expect(Self.read(master, 3, 0x01, 2).1 == [1, 200])
        #expect(master.write(address: 3, start: 0x06, values: [5]) == .exception(2))
    }

    @Test("a second master on the same port is refused as busy; a missing port is unusable")
    func exclusiveAndMissing() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        var settings = BusSettings()
        settings.port = bus.terminal.path
        #expect {
            try ModbusMaster(settings: settings)
        } throws: { error in
            if case .busy(let port, _) = error as? BusOpenError { return port == bus.terminal.path }
            return false
        }
        _ = master
        settings.port = "/dev/ttyOHT485-missing"
        #expect {
            try ModbusMaster(settings: settings)
        } throws: { error in
            (error as? BusOpenError)?.description.contains("/dev/ttyOHT485-missing is missing or unusable") == true
        }
    }

    @Test("a broadcast write reaches every module and is not answered")
    func broadcast() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        #expect(master.write(address: 0, start: 0x0006, values: [1]) == .ok)
        #expect(eventually { bus.withModule(2) { $0.register(0x0006) } == 1 })
        #expect(bus.frameCounts.withLock { $0.answered } == 0)
        #expect(Self.read(master, 2, 0x0006, 1).1 == [1])
    }

    @Test("a reply that comes after its timeout is discarded and counted before the next request, never taken as its answer")
    func replyAfterTimeoutIsDiscarded() throws {
        let (bus, master) = try Self.bus()
        defer { bus.stop() }
        bus.withModule(2) {
            $0.set(0x0006, to: 1)
            $0.faults.delayMs = 40
        }
        #expect(Self.read(master, 2, 0x0006, 1).0 == .timeout)
        // Written by the simulator, then moved to the master's side of the pty by a kernel worker.
        #expect(eventually { master.pendingInputBytes == 7 })
        bus.withModule(2) {
            $0.set(0x0006, to: 2)
            $0.faults.delayMs = 0
        }
        // The late answer (value 1, 7 bytes) sits in the input; the next read must get its own answer (value 2).
        #expect(Self.read(master, 2, 0x0006, 1) == (.ok, [2]))
        #expect(master.lastDiscardedBytes == 7)  // address, function, count, one register, CRC
    }

    @Test("after another module's late reply the master waits out its own answer: no transaction reads an answer meant for an earlier one")
    func lateReplyNeverShiftsAnswers() throws {
        let bus = try SimulatedBus(modules: [SimulatedModule(address: 2, type: .power), SimulatedModule(address: 3, type: .motor)])
        defer { bus.stop() }
        var settings = BusSettings()
        settings.port = bus.terminal.path
        // Long enough that the simulator's scheduling on a loaded machine stays well inside it.
        settings.responseTimeoutMs = 100
        let master = try ModbusMaster(settings: settings)
        bus.withModule(3) { $0.faults.delayMs = 150 }
        var value: UInt16 = 0
        var stale = 0
        var refused = 0
        for _ in 0..<4 {
            #expect(Self.read(master, 3, 0x0006, 1).0 == .timeout)
            for _ in 0..<3 {
                value += 1
                bus.withModule(2) { $0.set(0x0006, to: value) }
                let (outcome, registers) = Self.read(master, 2, 0x0006, 1)
                if outcome == .ok && registers != [value] { stale += 1 }
                if outcome != .ok { refused += 1 }
            }
        }
        // Module 3's answer arrives during module 2's first read: libmodbus refuses it (wrong slave).
        // Module 2's own answer follows it and must not become the answer to module 2's next read.
        #expect(refused >= 1)
        #expect(stale == 0)
    }

    /// A peer on the other end of a pty that answers each request with the bytes given for it, in one
    /// write: whatever libmodbus does not read of them is left in the master's input. It notes when each
    /// request's first byte arrived and when each answer was written (monotonic ns).
    final class ScriptedPeer: @unchecked Sendable {
        let terminal: PseudoTerminal
        private let finished = DispatchSemaphore(value: 0)
        private let times = Mutex<(requests: [UInt64], answers: [UInt64])>(([], []))

        init(answers: [[UInt8]]) throws {
            terminal = try PseudoTerminal()
            let fd = terminal.masterFD
            Thread { [finished, self] in
                for answer in answers {
                    var request = [UInt8]()
                    var byte: UInt8 = 0
                    var waiting = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    // An FC03 request is 8 bytes; 10 s without one ends the peer (the test then fails).
                    while request.count < 8, poll(&waiting, 1, 10_000) == 1, Glibc.read(fd, &byte, 1) == 1 {
                        if request.isEmpty { self.times.withLock { $0.requests.append(MonotonicClock.now()) } }
                        request.append(byte)
                    }
                    guard request.count == 8 else { break }
                    // Taken before the write: the master cannot see the answer's last byte earlier, so a
                    // request that honours t3.5 starts at least a gap after this. Taken after it, a peer
                    // thread preempted between write and clock (a loaded machine) made a correct master look
                    // early.
                    self.times.withLock { $0.answers.append(MonotonicClock.now()) }
                    _ = answer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                }
                finished.signal()
            }.start()
        }

        func wait() -> Bool { finished.wait(timeout: .now() + 20) == .success }

        /// When each request began to arrive, and when each answer was about to be written.
        var requestTimes: [UInt64] { times.withLock { $0.requests } }
        var answerTimes: [UInt64] { times.withLock { $0.answers } }
    }

    @Test(
        "t3.5: a request never starts within 3.5 characters of the line's last byte; bytes in that gap are drained and counted first"
    )
    func interFrameGap() throws {
        let answer = RTUCodec.encodeReadResponse(address: 2, function: 3, registers: [5])
        let noise: [UInt8] = [0xFF, 0x00, 0xFF]
        let peer = try ScriptedPeer(answers: [answer + noise, answer, answer + noise, answer])
        var settings = BusSettings()
        settings.port = peer.terminal.path
        settings.baud = 9_600
        settings.responseTimeoutMs = 200
        let master = try ModbusMaster(settings: settings)
        var discarded: [Int] = []
        for _ in 0..<4 {
            #expect(Self.read(master, 2, 0x0006, 1) == (.ok, [5]))
            discarded.append(master.lastDiscardedBytes)
        }
        #expect(peer.wait())
        // 3.5 characters of 11 bits at 9600 baud.
        let gap = UInt64(3.5 * 11 / 9_600 * 1e9)
        let requests = peer.requestTimes
        let answers = peer.answerTimes
        #expect(requests.count == 4 && answers.count == 4)
        for i in 1..<min(requests.count, answers.count) {
            #expect(
                requests[i] >= answers[i - 1] + gap,
                "request \(i) began \(Int64(requests[i]) - Int64(answers[i - 1])) ns after the last answer")
        }
        // The noise after answers 1 and 3 is drained before requests 2 and 4.
        #expect(discarded == [0, 3, 0, 3])
    }

    @Test("a late frame followed by the right answer: libmodbus refuses the first, the master counts every byte it drops of the second")
    func everyDroppedByteIsCounted() throws {
        let late = RTUCodec.encodeReadResponse(address: 3, function: 3, registers: [9])
        let answer = RTUCodec.encodeReadResponse(address: 2, function: 3, registers: [5])
        // Both arrive together after the first request (the late reply, then the one it delayed); the
        // second request is answered properly.
        let peer = try ScriptedPeer(answers: [late + answer, answer])
        var settings = BusSettings()
        settings.port = peer.terminal.path
        // Long enough for a starved peer thread to answer (100 ms timed out once on a machine running two
        // TCG guests beside the suite); nothing here depends on the timeout's length.
        settings.responseTimeoutMs = 1_000
        let master = try ModbusMaster(settings: settings)
        let (refused, _) = Self.read(master, 2, 0x0006, 1)
        #expect(refused != .ok)
        var dropped = master.lastDiscardedBytes
        #expect(Self.read(master, 2, 0x0006, 1) == (.ok, [5]))
        dropped += master.lastDiscardedBytes
        #expect(dropped == answer.count)
        #expect(peer.wait())
    }

    @Test("only a failure that may leave an answer on its way makes the next request wait a whole timeout")
    func outOfStepRule() {
        let timeout: UInt64 = 20_000_000
        #expect(ModbusMaster.mayBeOutOfStep(.other(EINVAL), tookNs: 5_000_000, timeoutNs: timeout))
        #expect(ModbusMaster.mayBeOutOfStep(.crc, tookNs: 5_000_000, timeoutNs: timeout))
        // A timeout overslept by a paused thread proves nothing about the slave.
        #expect(ModbusMaster.mayBeOutOfStep(.timeout, tookNs: 60_000_000, timeoutNs: timeout))
        // A plain timeout is a silent slave: waiting would only slow comm-loss detection.
        #expect(!ModbusMaster.mayBeOutOfStep(.timeout, tookNs: 20_400_000, timeoutNs: timeout))
        #expect(!ModbusMaster.mayBeOutOfStep(.exception(2), tookNs: 5_000_000, timeoutNs: timeout))
    }
}
