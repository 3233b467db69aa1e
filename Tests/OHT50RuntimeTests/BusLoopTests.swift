import Foundation
import OHT50Core
import OHT50IO
import OHT50Sim
import OHT50TestSupport
import Testing

@testable import OHT50Runtime

/// The bus thread and the safety thread together, on their own threads, against the simulator over a
/// real pty through real libmodbus.
@Suite("Bus loop with the safety loop", .serialized)
struct BusLoopTests {
    final class Rig: @unchecked Sendable {
        let sim: SimulatedBus
        let bus: BusLoop
        let loop: SafetyLoop
        let estop = SimulatedEStopInput()
        let motion = SimulatedOutputLine()
        let channel: CommandChannel
        let settings: BusSettings

        /// - Parameter driveRunning: the drive already turns at both channels' full speed when the daemon
        ///   starts, as after a crash of the previous one.
        init(
            commLossAfter: Int = 3,
            modules: [ModuleSettings] = [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor)],
            driveRunning: Bool = false, extraDrives: [UInt8] = []
        ) throws {
            let drive = SimulatedModule(address: 3, type: .motor)
            if driveRunning { Self.run(drive, speed: 255) }
            sim = try SimulatedBus(
                modules: [SimulatedModule(address: 2, type: .power), drive] + extraDrives.map { SimulatedModule(address: $0, type: .motor) }
            )
            var settings = BusSettings()
            settings.port = sim.terminal.path
            settings.commLossAfter = commLossAfter
            // Generous: these tests are about behaviour, and a loaded 2-core machine running debug
            // builds of several RT threads is slow; timing belongs to tools/bench.
            settings.responseTimeoutMs = 200
            self.settings = settings
            let open: @Sendable () throws(BusOpenError) -> ModbusMaster = { [settings] () throws(BusOpenError) in
                try ModbusMaster(settings: settings)
            }
            let link = BusLink()
            bus = BusLoop(settings: settings, modules: modules, link: link, master: try open(), open: open)
            loop = SafetyLoop(
                // A long lease: a test that refreshes its move from a task the busy test pool schedules late
                // must not see the move expire (lease expiry is tested on the machine and end to end).
                timings: SafetyTimings(
                    cycleNs: 1_000_000, resetReleaseNs: 20_000_000, maxStallNs: 1_000_000_000, motionLeaseNs: 60_000_000_000),
                input: estop, outputs: SafetyOutputLines(motionEnable: motion), bus: link)
            channel = loop.channel
            _ = try loop.start(priority: 80)
            _ = try bus.start(priority: 70)
        }

        deinit {
            loop.stop()
            bus.stop()
            sim.stop()
        }

        static func run(_ drive: SimulatedModule, speed: UInt16) {
            for base in RegisterMap.motorChannels {
                drive.set(base + 0x01, to: 1)
                drive.set(base + 0x02, to: speed)
            }
        }

        /// Enable and commanded speed of both channels, as the simulated drive holds them.
        var driveCommand: [UInt16] { command(of: 3) }

        func command(of address: UInt8) -> [UInt16] {
            sim.withModule(address) { m in RegisterMap.motorChannels.flatMap { [m.register($0 + 0x01), m.register($0 + 0x02)] } } ?? []
        }

        /// Ready, with drive 3 refusing writes to channel 1's direction, and `move` accepted.
        func movingWithDirectionRefused(_ move: MotionRequest) async -> Bool {
            guard eventually({ state == .latched }), await resetUntilReady() else { return false }
            let direction = RegisterMap.motorDirectionOffset
            sim.withModule(3) { $0.faults.refusedWrites = direction...direction }
            return (try? await channel.send(.move(move), source: "test"))?.accepted == true
        }

        /// Sends the move again and again, as a backend keeps its lease alive, until `condition` holds.
        func whileMoving(_ request: MotionRequest, until condition: () -> Bool) async -> Bool {
            await eventually(poll: .milliseconds(50)) {
                _ = try? await channel.send(.move(request), source: "test")
                return condition()
            }
        }

        var state: SafetyState { loop.snapshot.read().machine.state }
        var driveStopUnconfirmed: Bool { module(3).stopUnconfirmed.load(ordering: .relaxed) }
        var causes: TripCauses { loop.snapshot.read().machine.activeCauses }
        func module(_ address: UInt8) -> BusModule { bus.modules.first { $0.address == address }! }

        /// Resets until accepted — or ready already: a reset sent just before (a test's own, whose answer it
        /// did not need) may have been the one accepted, and every later one is then refused as not latched.
        /// On failure records why the last attempt was refused.
        func resetUntilReady() async -> Bool {
            var last: CommandReply?
            let accepted = await eventually(timeout: .seconds(20), poll: .milliseconds(20)) {
                last = try? await channel.send(.reset, source: "test")
                // Refused by the safety thread itself because it is ready already.
                return last?.accepted == true || last?.refusal.state == .ready
            }
            if !accepted {
                Issue.record("reset never accepted; last refusal: \(String(describing: last?.refusal)), state \(state)")
            }
            return accepted
        }
    }

    @Test("boot waits for the bus, reaches latched with live values, and a reset gives ready")
    func bootWithBus() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(eventually { rig.module(2).reading.read().at != 0 && rig.module(3).reading.read().at != 0 })
        #expect(rig.module(2).identity.withLock { $0?.moduleType } == .power)
        let voltage = RegisterMap.power.decode(rig.module(2).reading.read().registers).first { $0.name == "voltage" }
        #expect(voltage.map { (20.0...28.0).contains($0.value) } == true)
        #expect(await rig.resetUntilReady())
    }

    @Test("a move reaches the drive's registers as 0–255 and direction; the drive ramps; a trip stops it")
    func motionPath() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        let reply = try await rig.channel.send(.move(MotionRequest(speedPercent: 40, direction: .reverse)), source: "test")
        #expect(reply.accepted)
        let drive = { (register: UInt16) in rig.sim.withModule(3) { $0.register(register) } ?? 999 }
        #expect(eventually { drive(0x01) == 1 && drive(0x02) == 102 && drive(0x07) == 2 })
        #expect(eventually { drive(0x11) == 1 && drive(0x12) == 102 && drive(0x17) == 2 })
        // The move's lease (300 ms) may run out on a slow run (a sanitizer) before the ramp is seen:
        // renew it as a backend would.
        #expect(
            await eventually {
                _ = try? await rig.channel.send(.move(MotionRequest(speedPercent: 40, direction: .reverse)), source: "test")
                return drive(0x06) > 0
            })

        rig.estop.press()
        #expect(eventually { drive(0x01) == 0 && drive(0x02) == 0 && drive(0x11) == 0 && drive(0x12) == 0 })
        #expect(rig.state == .estop || rig.state == .latched)
        #expect(!rig.motion.isOn)
    }

    @Test("a drive still turning when the daemon starts is stopped and read back, and the reset waits for it")
    func driveStoppedAtStart() async throws {
        let rig = try Rig(driveRunning: true)
        #expect(eventually { rig.state == .latched })
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
        #expect(eventually { !rig.driveStopUnconfirmed })
        #expect(await rig.resetUntilReady())
    }

    @Test("a trip stops a drive the setpoint never started (another master, an earlier daemon)")
    func tripStopsDriveWithoutSetpoint() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched && !rig.driveStopUnconfirmed })
        rig.sim.withModule(3) { Rig.run($0, speed: 200) }
        // The bus has seen it turn, and the setpoint (never running) gives it no reason to write.
        #expect(eventually { rig.module(3).reading.read().registers.count > 2 && rig.module(3).reading.read().registers[2] == 200 })
        #expect(rig.driveCommand == [1, 200, 1, 200])
        rig.estop.press()
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
    }

    @Test(
        "a stop the drive does not apply is sent again until it reads back 0; no reset meanwhile; comm_loss after comm_loss_after tries",
        arguments: [ModuleFaults.WriteFault.ignored, .unanswered])
    func unconfirmedStopIsRetried(fault: ModuleFaults.WriteFault) async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        #expect(try await rig.channel.send(.move(MotionRequest(speedPercent: 40, direction: .forward)), source: "test").accepted)
        #expect(eventually { rig.driveCommand == [1, 102, 1, 102] })

        rig.sim.withModule(3) { $0.faults.writes = fault }
        rig.estop.press()
        rig.estop.release()
        #expect(eventually { rig.state == .fault && rig.causes.contains(.commLoss) })
        #expect(!rig.motion.isOn)
        #expect(rig.driveCommand == [1, 102, 1, 102])
        #expect(rig.driveStopUnconfirmed)
        for _ in 0..<3 {
            let refused = try await rig.channel.send(.reset, source: "test")
            #expect(!refused.accepted)
            #expect(refused.refusal.reasons.contains(.driveStopUnconfirmed))
            #expect(refused.refusal.activeCauses.contains(.commLoss))
            #expect(rig.state == .fault)
        }

        rig.sim.withModule(3) { $0.faults.writes = .applied }
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
        // Latched once comm_loss clears; the stop counts once its read-back says so.
        #expect(eventually { rig.state == .latched })
        #expect(eventually { !rig.driveStopUnconfirmed })
        #expect(await rig.resetUntilReady())
    }

    @Test("after a stop in ready, a drive that keeps its speed trips comm_loss and takes motion-enable off")
    func stopNotAppliedInReadyTrips() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        #expect(try await rig.channel.send(.move(MotionRequest(speedPercent: 40, direction: .forward)), source: "test").accepted)
        #expect(eventually { rig.driveCommand == [1, 102, 1, 102] })
        #expect(rig.motion.isOn)

        rig.sim.withModule(3) { $0.faults.writes = .ignored }
        #expect(await rig.channel.stop())
        #expect(eventually { rig.state == .fault })
        #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .commLoss)
        #expect(!rig.motion.isOn)
        let move = try await rig.channel.send(.move(MotionRequest(speedPercent: 10, direction: .forward)), source: "test")
        #expect(!move.accepted)
        #expect(move.refusal.reasons.contains(.driveStopUnconfirmed))
    }

    @Test("an isolated CRC error is counted and does not trip")
    func isolatedCRCErrorNoTrip() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(3) { $0.faults.corruptCRCEvery = 25 }
        #expect(eventually { rig.module(3).counters.crcErrors.load(ordering: .relaxed) >= 3 })
        rig.sim.withModule(3) { $0.faults = ModuleFaults() }
        #expect(rig.state == .ready)
        #expect(rig.loop.snapshot.read().machine.lastTrip == nil)
    }

    @Test("a required module going offline trips comm_loss; reset is refused until it is back, then accepted")
    func offlineTripsCommLoss() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(2) { $0.faults.offline = true }
        #expect(eventually { rig.state == .fault })
        #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .commLoss)
        #expect(!rig.motion.isOn)
        let refused = try await rig.channel.send(.reset, source: "test")
        #expect(!refused.accepted)
        #expect(refused.refusal.activeCauses.contains(.commLoss))
        #expect(rig.module(2).counters.timeouts.load(ordering: .relaxed) >= 3)

        rig.sim.withModule(2) { $0.faults = ModuleFaults() }
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
    }

    @Test(
        "power alarm bits 0–3 and a drive error trip module_alarm; bits 4–5 do not",
        arguments: [
            (UInt8(2), UInt16(0b0001), true), (UInt8(2), UInt16(0b1000), true), (UInt8(2), UInt16(0b110000), false),
            (UInt8(3), UInt16(7), true),
        ])
    func alarmsTrip(address: UInt8, value: UInt16, trips: Bool) async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(address) { $0.setAlarm(value) }
        if trips {
            #expect(eventually { rig.state == .fault })
            #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .moduleAlarm)
            rig.sim.withModule(address) { $0.setAlarm(0) }
            #expect(eventually { rig.state == .latched })
        } else {
            let polls = rig.module(2).counters.transactions.load(ordering: .relaxed)
            #expect(eventually { rig.module(2).counters.transactions.load(ordering: .relaxed) > polls + 3 })
            #expect(rig.state == .ready)
        }
    }

    @Test("a module reporting another type than configured is a fault naming both")
    func typeMismatch() async throws {
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .motor), ModuleSettings(address: 3, type: .motor)])
        #expect(eventually { rig.module(2).typeProblem.withLock { $0 } != nil })
        #expect(rig.module(2).typeProblem.withLock { $0 } == "configured motor, but the module at address 2 reports power")
        #expect(eventually { rig.state == .fault })
        #expect(rig.causes.contains(.moduleAlarm))
    }

    // MARK: while moving (issue 26: a failing drive write must not stop the poll schedule)

    // An optional drive offline while moving is a comm_loss trip now (issue 38: `optionalDriveSilentWhileMoving`); a slow one
    // still must not starve the other modules' polls.
    @Test("while moving, with an optional second drive slow to answer, the power module keeps being polled and its alarm trips")
    func powerAlarmWhileMovingWithDriveSlow() async throws {
        let rig = try Rig(
            modules: [
                ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor),
                ModuleSettings(address: 4, type: .motor, required: false),
            ],
            extraDrives: [4])
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(4) { $0.faults.delayMs = 100 }
        let move = MotionRequest(speedPercent: 40, direction: .forward)
        #expect(try await rig.channel.send(.move(move), source: "test").accepted)
        #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 102, 1, 102] })

        let powerPolls = rig.module(2).counters.transactions.load(ordering: .relaxed)
        #expect(await rig.whileMoving(move) { rig.module(2).counters.transactions.load(ordering: .relaxed) >= powerPolls + 5 })
        #expect(rig.state == .moving)

        rig.sim.withModule(2) { $0.setAlarm(0b0001) }
        #expect(await rig.whileMoving(move) { rig.state == .fault })
        #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .moduleAlarm)
        #expect(!rig.motion.isOn)
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
    }

    @Test("while moving, a link that fails every other frame trips comm_loss (errors between successes add up)")
    func alternatingCRCErrorsTripWhileMoving() async throws {
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 40, direction: .forward)
        #expect(try await rig.channel.send(.move(move), source: "test").accepted)
        rig.sim.withModule(3) { $0.faults.corruptCRCEvery = 2 }
        #expect(await rig.whileMoving(move) { rig.state == .fault })
        #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .commLoss)
        #expect(rig.module(3).counters.crcErrors.load(ordering: .relaxed) >= 3)
        #expect(!rig.motion.isOn)
    }

    @Test("a refused direction write keeps the drive from being enabled; the write is retried at its polls and goes through once accepted")
    func refusedDirectionWriteEnablesNothing() async throws {
        // Refusals count toward comm_loss (next test); here only the retry is looked at.
        let rig = try Rig(commLossAfter: 1_000)
        let move = MotionRequest(speedPercent: 40, direction: .reverse)
        #expect(await rig.movingWithDirectionRefused(move))
        let exceptions = rig.module(3).counters.exceptions.load(ordering: .relaxed)
        // Several refused attempts, each one at a poll of the drive.
        #expect(await rig.whileMoving(move) { rig.module(3).counters.exceptions.load(ordering: .relaxed) >= exceptions + 3 })
        #expect(rig.driveCommand == [0, 0, 0, 0], "enable and speed of both channels stay 0")
        #expect(rig.module(2).counters.transactions.load(ordering: .relaxed) > 0)

        rig.sim.withModule(3) { $0.faults.refusedWrites = nil }
        #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 102, 1, 102] })
        #expect(rig.sim.withModule(3) { [$0.register(0x07), $0.register(0x17)] } == [2, 2])
    }

    @Test("while moving, a drive that keeps refusing its writes trips comm_loss and is never enabled")
    func persistentlyRefusedWritesTrip() async throws {
        let rig = try Rig()
        let move = MotionRequest(speedPercent: 40, direction: .forward)
        #expect(await rig.movingWithDirectionRefused(move))
        // Fault lasts only while the refusals outweigh the polls: once stopped, the drive's polls drain
        // the count and the state falls back to latched. The trip is what stays.
        #expect(await rig.whileMoving(move) { rig.loop.snapshot.read().machine.lastTrip != nil })
        #expect(rig.loop.snapshot.read().machine.lastTrip?.causes == .commLoss)
        #expect(!rig.state.permitsMotion)
        #expect(rig.driveCommand == [0, 0, 0, 0])
        #expect(!rig.motion.isOn)
    }

    @Test(
        "host_watchdog_ms: written at start, kept alive while the bus thread runs; a silent bus thread lets the drive stop itself"
    )
    func hostWatchdog() async throws {
        let drive = ModuleSettings(address: 3, type: .motor, hostWatchdogMs: 150)
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), drive])
        let register = { (address: UInt16) in rig.sim.withModule(3) { $0.register(address) } ?? 999 }
        let expired = { rig.sim.withModule(3) { $0.hostWatchdogExpired } ?? true }
        #expect(eventually { register(RegisterMap.motorHostWatchdogRegister) == 150 })
        #expect(eventually { rig.state == .latched })
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        #expect(try await rig.channel.send(.move(move), source: "test").accepted)
        #expect(eventually { register(0x01) == 1 && register(0x02) == 128 })
        // Refreshed while the move lasts (reads alone would not): more than ten watchdog periods pass.
        #expect(await rig.whileMoving(move) { rig.module(3).counters.transactions.load(ordering: .relaxed) > 300 })
        #expect(!expired() && register(0x01) == 1)

        // The bus thread goes silent (as when the host hangs): the drive stops itself.
        rig.bus.thread.injectStall(milliseconds: 1_500)
        #expect(eventually { expired() })
        #expect(register(0x01) == 0 && register(0x02) == 0 && register(0x11) == 0 && register(0x12) == 0)
        // Back: the trip the silence caused stops the drives, and 0x0D written again clears the expiry.
        #expect(eventually(timeout: .seconds(20)) { !expired() && register(RegisterMap.motorHostWatchdogRegister) == 150 })
        #expect(!rig.state.permitsMotion)
    }

    @Test(
        "a drive its own host watchdog stopped trips drive_watchdog; the keep-alive never restarts it, and motion needs a new reset and move"
    )
    func driveWatchdogStopTrips() async throws {
        // Issue 38, recipe 1: moving, the drive ignores writes for a while, then applies them again.
        let drive = ModuleSettings(address: 3, type: .motor, hostWatchdogMs: 300)
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), drive])
        let register = { (address: UInt16) in rig.sim.withModule(3) { $0.register(address) } ?? 999 }
        let expired = { rig.sim.withModule(3) { $0.hostWatchdogExpired } ?? true }
        #expect(eventually { register(RegisterMap.motorHostWatchdogRegister) == 300 })
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        #expect(try await rig.channel.send(.move(move), source: "test").accepted)
        #expect(eventually { register(0x01) == 1 && register(0x11) == 1 })

        rig.sim.withModule(3) { $0.faults.writes = .ignored }
        #expect(await rig.whileMoving(move) { expired() })
        #expect(eventually { rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveWatchdog) == true })
        #expect(!rig.motion.isOn)
        #expect(!rig.state.permitsMotion)
        let whileExpired = try await rig.channel.send(.move(move), source: "test")
        #expect(!whileExpired.accepted)
        #expect(RefusalText.reasons(whileExpired.refusal, resetReleaseMs: 20).map(\.code).contains("drive_watchdog"))

        rig.sim.withModule(3) { $0.faults.writes = .applied }
        // 0x0D written again clears the expiry and the cause; nothing restarts either channel meanwhile.
        #expect(eventually(timeout: .seconds(20)) { !expired() && rig.state == .latched })
        let before = rig.module(3).counters.transactions.load(ordering: .relaxed)
        #expect(eventually { rig.module(3).counters.transactions.load(ordering: .relaxed) > before + 100 })
        #expect(rig.driveCommand == [0, 0, 0, 0])
        #expect(rig.module(3).watchdogExpiries.load(ordering: .relaxed) >= 1)

        // A reset alone does not move it; a new move does, both channels alike.
        #expect(await rig.resetUntilReady())
        #expect(rig.driveCommand == [0, 0, 0, 0])
        #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 128, 1, 128] })
    }

    @Test("a drive that does not answer while it is commanded to move trips comm_loss even when it is not required")
    func optionalDriveSilentWhileMoving() async throws {
        // Issue 38, item 6.
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor, required: false)])
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 20, direction: .forward)
        #expect(await rig.whileMoving(move) { rig.state == .moving })
        rig.sim.withModule(3) { $0.faults.offline = true }
        #expect(await rig.whileMoving(move) { rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.commLoss) == true })
        #expect(!rig.motion.isOn)
        #expect(!rig.state.permitsMotion)
        rig.sim.withModule(3) { $0.faults.offline = false }
    }

    @Test("a frozen safety thread: the bus thread stops the moving drives itself within max_stall_ms and stops feeding their watchdog")
    func frozenSafetyThreadStopsDrives() async throws {
        // Issue 38, item 5 (the rig's max_stall_ms is 1 s).
        let drive = ModuleSettings(address: 3, type: .motor, hostWatchdogMs: 1_500)
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), drive])
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 128, 1, 128] })
        let cycles = rig.loop.statistics.cycles.load(ordering: .relaxed)
        rig.loop.thread.injectStall(milliseconds: 8_000)
        // Still frozen (its cycle count has not moved past the one it was in), and the drive is stopped.
        #expect(eventually(timeout: .seconds(6)) { rig.driveCommand == [0, 0, 0, 0] })
        #expect(rig.loop.statistics.cycles.load(ordering: .relaxed) <= cycles + 1)
        // No keep-alive while frozen: the drive's own watchdog expires too.
        #expect(eventually(timeout: .seconds(6)) { rig.sim.withModule(3) { $0.hostWatchdogExpired } ?? false })
        #expect(rig.loop.statistics.cycles.load(ordering: .relaxed) <= cycles + 1)
        // Back: the stall trips, and nothing restarts the drive.
        #expect(eventually(timeout: .seconds(20)) { rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.stall) == true })
        #expect(rig.driveCommand == [0, 0, 0, 0])
    }

    @Test("a drive that reads back its stop but keeps turning trips drive_not_stopped after stop_within_ms; reset waits for standstill")
    func standstillMonitored() async throws {
        // Issue 38, item 13.
        let drive = ModuleSettings(address: 3, type: .motor, stopWithinMs: 300)
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), drive])
        let actual = { rig.sim.withModule(3) { [$0.register(0x06), $0.register(0x16)] } ?? [] }
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 100, direction: .forward)
        #expect(await rig.whileMoving(move) { actual() == [255, 255] })
        rig.sim.withModule(3) { $0.faults.coasting = true }
        rig.loop.stopSignal.request()
        // The commands read back 0 at once; the actual speed does not fall.
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
        #expect(eventually { rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveNotStopped) == true })
        let overdue = rig.module(3).standstillOverdue.load(ordering: .relaxed)
        #expect(overdue)
        #expect(!rig.motion.isOn)
        let refused = try await rig.channel.send(.reset, source: "test")
        #expect(!refused.accepted)
        let codes = RefusalText.reasons(refused.refusal, resetReleaseMs: 20).map(\.code)
        #expect(codes.contains("drive_not_stopped") && codes.contains("drive_stop_unconfirmed"), "\(codes)")

        // The drive comes to rest: the cause clears, and a reset is accepted.
        rig.sim.withModule(3) { $0.faults.coasting = false }
        #expect(eventually { actual() == [0, 0] })
        #expect(eventually { !rig.module(3).standstillOverdue.load(ordering: .relaxed) && rig.state == .latched })
        #expect(await rig.resetUntilReady())
    }

    @Test(
        "a dead speed sensor (actual speed 0 while the motor turns) trips drive_not_following; its 0 confirms no stop before stop_within_ms"
    )
    func deadSpeedSensor() async throws {
        // Issue 38: a sensor stuck at 0 would confirm every stop at once, a coasting drive included.
        // 3 s, up to 5 attempts: an attempt counts only when its reset reaches the daemon within stop_within_ms
        // of the trip, which under AddressSanitizer on a loaded 2-core machine took over 1 s three times running.
        let stopWithinMs = 3_000
        let drive = ModuleSettings(address: 3, type: .motor, stopWithinMs: stopWithinMs)
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), drive])
        let notFollowing = { rig.module(3).notFollowing.load(ordering: .relaxed) }
        let move = MotionRequest(speedPercent: 100, direction: .forward)
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(3) { $0.faults.deadSpeedSensor = true }
        var held = 0
        for attempt in 1...5 where held == 0 {
            let before = rig.loop.snapshot.read().machine.lastTrip?.at ?? 0
            let tripped = {
                let trip = rig.loop.snapshot.read().machine.lastTrip
                return (trip?.at ?? 0) > before && trip?.causes.contains(.driveNotFollowing) == true
            }
            // The move is written (its commands read back) and the drive turns; its sensor says 0.
            #expect(await rig.whileMoving(move) { tripped() }, "no drive_not_following on attempt \(attempt)")
            #expect(!rig.motion.isOn)
            #expect(notFollowing())
            // The stop is read back at or after the trip; until stop_within_ms after it, the drive's 0 proves nothing.
            let tripAt = rig.loop.snapshot.read().machine.lastTrip?.at ?? 0
            let reply = try await rig.channel.send(.reset, source: "test")
            let premise = MonotonicClock.now() < tripAt + UInt64(stopWithinMs) * 1_000_000
            #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
            if premise {
                held += 1
                #expect(!reply.accepted, "a reset within stop_within_ms of the trip was accepted on the drive's own 0")
                let codes = RefusalText.reasons(reply.refusal, resetReleaseMs: 20).map(\.code)
                #expect(codes.contains("drive_stop_unconfirmed"), "\(codes)")
            }
            // Past it, the stop counts (the cause was this move's), and a reset is accepted; the report keeps the fault.
            #expect(await rig.resetUntilReady())
            #expect(notFollowing())
        }
        #expect(held > 0, "the reset never came within stop_within_ms of the trip")

        // The sensor works again: a move longer than twice stop_within_ms (counted in the drive's transactions)
        // shows both speeds, clears the report and trips nothing.
        rig.sim.withModule(3) { $0.faults.deadSpeedSensor = false }
        let lastTripAt = rig.loop.snapshot.read().machine.lastTrip?.at
        let transactions = { rig.module(3).counters.transactions.load(ordering: .relaxed) }
        let start = transactions()
        #expect(await rig.whileMoving(move) { transactions() > start + UInt64(2 * stopWithinMs / drive.pollMs) })
        #expect(!notFollowing())
        #expect(rig.loop.snapshot.read().machine.lastTrip?.at == lastTripAt, "a move with a working sensor tripped")
    }

    @Test(
        "a dead speed sensor under a setpoint that keeps changing (50 %, 51 %, …) still trips drive_not_following: a change keeps the clock"
    )
    func deadSpeedSensorChangingSetpoint() async throws {
        // Issue 38's review: every new setpoint used to restart the clock, so a joystick hid a dead sensor.
        let rig = try Rig(modules: [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor, stopWithinMs: 500)])
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(3) { $0.faults.deadSpeedSensor = true }
        var percent: UInt8 = 50
        #expect(
            await eventually(poll: .milliseconds(50)) {
                percent = percent == 50 ? 51 : 50
                _ = try? await rig.channel.send(.move(MotionRequest(speedPercent: percent, direction: .forward)), source: "test")
                return rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveNotFollowing) == true
            })
        #expect(!rig.motion.isOn)
    }

    @Test("a dead speed sensor on moves shorter than stop_within_ms: the drive's 0 confirms no stop before stop_within_ms")
    func deadSpeedSensorShortMove() async throws {
        // Issue 38's review: a move that ends before the clock runs out never trips, so its stop must not
        // trust a 0 the drive never showed it can leave.
        let stopWithinMs = 1_000
        let rig = try Rig(modules: [
            ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor, stopWithinMs: stopWithinMs),
        ])
        #expect(await rig.resetUntilReady())
        rig.sim.withModule(3) { $0.faults.deadSpeedSensor = true }
        let move = MotionRequest(speedPercent: 60, direction: .forward)
        let transactions = { rig.module(3).counters.transactions.load(ordering: .relaxed) }
        var held = 0
        for attempt in 1...3 where held == 0 {
            #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 153, 1, 153] }, "attempt \(attempt)")
            let stoppedAt = MonotonicClock.now()
            rig.loop.stopSignal.request()
            // The stop reads back, and the drive is polled again and again with its dead 0.
            #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
            let polls = transactions()
            #expect(eventually { transactions() > polls + 10 })
            let unconfirmed = rig.driveStopUnconfirmed
            if MonotonicClock.now() < stoppedAt + UInt64(stopWithinMs) * 1_000_000 {
                held += 1
                #expect(unconfirmed, "a stop confirmed by a 0 the drive never showed it can leave (attempt \(attempt))")
            }
            // Past stop_within_ms it counts: nothing tripped, moves go on.
            #expect(eventually { !rig.driveStopUnconfirmed })
            #expect(rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveNotFollowing) != true)
        }
        #expect(held > 0, "the check never came within stop_within_ms of the stop")
    }

    @Test("a drive that refuses channel 2's writes while channel 1 runs trips drive_not_following: no one-sided move")
    func refusedSecondChannelTrips() async throws {
        // Issue 38's review: channel 1 enabled, channel 2's direction refused; the move was retried for ever.
        let rig = try Rig(
            commLossAfter: 1_000,
            modules: [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor, stopWithinMs: 300)])
        #expect(await rig.resetUntilReady())
        let direction2 = RegisterMap.motorChannels[1] + RegisterMap.motorDirectionOffset
        rig.sim.withModule(3) { $0.faults.refusedWrites = direction2...direction2 }
        let move = MotionRequest(speedPercent: 40, direction: .forward)
        #expect(await rig.whileMoving(move) { rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveNotFollowing) == true })
        let flagged = rig.module(3).notFollowing.load(ordering: .relaxed)
        #expect(flagged)
        #expect(!rig.motion.isOn)
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
    }

    @Test("a drive that ramps down in time is confirmed at standstill, with no fault: stops and moves as before")
    func standstillInTime() async throws {
        let rig = try Rig()
        #expect(await rig.resetUntilReady())
        let move = MotionRequest(speedPercent: 100, direction: .forward)
        #expect(await rig.whileMoving(move) { rig.sim.withModule(3) { $0.register(0x06) } == 255 })
        rig.loop.stopSignal.request()
        #expect(eventually { rig.sim.withModule(3) { $0.register(0x06) } == 0 && !rig.driveStopUnconfirmed })
        #expect(
            rig.loop.snapshot.read().machine.lastTrip == nil
                || rig.loop.snapshot.read().machine.lastTrip?.causes.contains(.driveNotStopped) == false)
        #expect(await rig.whileMoving(move) { rig.driveCommand == [1, 255, 1, 255] })
    }

    @Test("a link failing every other frame is offline in every report exactly when it trips comm_loss: one module verdict")
    func oneModuleVerdict() async throws {
        // Issue 38, item 12: consecutive failures never reach 3 here, the leaky count does.
        let rig = try Rig()
        #expect(eventually { rig.state == .latched })
        #expect(rig.module(3).isOnline(commLossAfter: rig.settings.commLossAfter))
        rig.sim.withModule(3) { $0.faults.corruptCRCEvery = 2 }
        #expect(eventually { rig.causes.contains(.commLoss) })
        #expect(!rig.module(3).isOnline(commLossAfter: rig.settings.commLossAfter))
        #expect(rig.module(3).counters.consecutiveFailures.load(ordering: .relaxed) < rig.settings.commLossAfter)
        rig.sim.withModule(3) { $0.faults.corruptCRCEvery = 0 }
        #expect(eventually { rig.module(3).isOnline(commLossAfter: rig.settings.commLossAfter) && !rig.causes.contains(.commLoss) })
    }

    /// The bus thread alone, with the safety thread's side of the link written by the test.
    final class BusOnly: @unchecked Sendable {
        let sim: SimulatedBus
        let link = BusLink()
        let bus: BusLoop

        /// - Parameter drives: the motor addresses beside power module 2.
        init(drives: [UInt8] = [3]) throws {
            sim = try SimulatedBus(
                modules: [SimulatedModule(address: 2, type: .power)] + drives.map { SimulatedModule(address: $0, type: .motor) })
            var settings = BusSettings()
            settings.port = sim.terminal.path
            settings.responseTimeoutMs = 200
            let open: @Sendable () throws(BusOpenError) -> ModbusMaster = { [settings] () throws(BusOpenError) in
                try ModbusMaster(settings: settings)
            }
            link.safetyStaleNs.store(300_000_000, ordering: .relaxed)
            bus = BusLoop(
                settings: settings,
                modules: [ModuleSettings(address: 2, type: .power)] + drives.map { ModuleSettings(address: Int($0), type: .motor) },
                link: link, master: try open(), open: open)
            _ = try bus.start(priority: 70)
        }

        deinit {
            bus.stop()
            sim.stop()
        }

        func order(_ request: MotionRequest?, generation: UInt16 = 0, motionEnds: UInt16 = 0) {
            link.order.store(
                DriveOrder(setpoint: DriveSetpoint(request), tripGeneration: generation, stopRequests: 0, motionEnds: motionEnds).raw,
                ordering: .releasing)
            alive()
            link.stopSignal.busWakeup.raise()
        }

        func alive() { link.safetyAliveAt.store(MonotonicClock.now(), ordering: .releasing) }

        /// Renews the same order, as a live safety thread does, until the bus thread has polled the drive `polls`
        /// more times: what it would do with the order, it has had the passes to do (no fixed sleep).
        func renewing(_ request: MotionRequest, untilDrivePolls polls: UInt64) -> Bool {
            let drive = bus.modules.first { $0.address == 3 }!
            let before = drive.counters.transactions.load(ordering: .relaxed)
            return eventually {
                order(request)
                return drive.counters.transactions.load(ordering: .relaxed) >= before + polls
            }
        }

        var driveCommand: [UInt16] {
            sim.withModule(3) { m in RegisterMap.motorChannels.flatMap { [m.register($0 + 0x01), m.register($0 + 0x02)] } } ?? []
        }
    }

    @Test(
        "a safety thread late once: the drives the bus thread stopped stay stopped when it comes back with the same move, and stall is held"
    )
    func staleStopHoldsUntilTrip() async throws {
        // The review of issue 38: a cycle held up inside itself stores its old move with a fresh time afterwards.
        let rig = try BusOnly()
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        #expect(
            eventually {
                rig.alive()
                return rig.link.stopConfirmation.load(ordering: .acquiring) & 1 == 1
            })
        rig.order(move)
        #expect(
            eventually {
                rig.alive()
                return rig.driveCommand == [1, 128, 1, 128]
            })
        // Silent for longer than the stale limit: stopped, and stall held for the safety thread.
        #expect(eventually { rig.driveCommand == [0, 0, 0, 0] })
        #expect(TripCauses(rawValue: rig.link.heldCauses.load(ordering: .acquiring)).contains(.stall))
        // Back with the same order and fresh times: nothing restarts, over 30 of the drive's polls.
        #expect(rig.renewing(move, untilDrivePolls: 30))
        #expect(rig.driveCommand == [0, 0, 0, 0])
        // A new trip generation (the safety thread's stall trip), then a new move: the drive runs again.
        rig.order(nil, generation: 1)
        #expect(
            eventually {
                rig.alive()
                return rig.link.stopConfirmation.load(ordering: .acquiring) == (1 << 1 | 1)
            })
        #expect(
            eventually {
                rig.order(move, generation: 1)
                return rig.driveCommand == [1, 128, 1, 128]
            })
    }

    @Test("a module alarm seen for one pass and cleared before the safety thread looks is still held for it")
    func alarmPulseHeldOnTheBusSide() throws {
        let rig = try BusOnly()
        #expect(
            eventually {
                rig.alive()
                return rig.link.isReady
            })
        _ = rig.link.heldCauses.exchange(0, ordering: .acquiringAndReleasing)
        rig.sim.withModule(2) { $0.setAlarm(0b0001) }
        #expect(
            eventually {
                rig.alive()
                return rig.link.busCauses.contains(.moduleAlarm)
            })
        rig.sim.withModule(2) { $0.setAlarm(0) }
        #expect(
            eventually {
                rig.alive()
                return !rig.link.busCauses.contains(.moduleAlarm)
            })
        #expect(TripCauses(rawValue: rig.link.heldCauses.load(ordering: .acquiring)).contains(.moduleAlarm))
    }

    @Test("an end of motion the bus thread sees only as a changed motionEnds, with the same move after it, still sends the stop")
    func motionEndsStopsTheDrives() throws {
        // Issue 38, item 14: the order is a mailbox; a lease expiry and the same move again within one pass
        // used to leave it unchanged, and the stop was never written.
        let rig = try BusOnly()
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        let drive = rig.bus.modules.first { $0.address == 3 }!
        #expect(
            eventually {
                rig.alive()
                return rig.link.stopConfirmation.load(ordering: .acquiring) & 1 == 1
            })
        #expect(
            eventually {
                rig.order(move)
                return rig.driveCommand == [1, 128, 1, 128]
            })
        // The drive now refuses enable and speed writes: a stop attempt shows as a stop left unconfirmed.
        rig.sim.withModule(3) { $0.faults.refusedWrites = 0x01...0x12 }
        #expect(rig.renewing(move, untilDrivePolls: 20))
        let unchanged = drive.stopUnconfirmed.load(ordering: .relaxed)
        #expect(!unchanged, "the same order again changes nothing")
        #expect(
            eventually {
                rig.order(move, motionEnds: 1)
                return drive.stopUnconfirmed.load(ordering: .relaxed)
            })
    }

    /// Issue 38's review: a move reaches the drives one transaction at a time, and the order used to be read once
    /// for all of them. Drive 3 answers slowly, so the trip is ordered while its channels are being written; the
    /// premise (the trip before drive 3's second enable) is timing, so a run where the test thread came too late
    /// is started again with a new move; the assertion is checked on every run where the premise held.
    @Test("a trip ordered while a move is being written drive by drive: no later drive is enabled, every drive ends stopped")
    func tripDuringMultiDriveWrite() throws {
        let rig = try BusOnly(drives: [3, 4])
        let move = MotionRequest(speedPercent: 50, direction: .forward)
        let enables = { (address: UInt8) in rig.sim.withModule(address) { $0.enableWrites } ?? 0 }
        #expect(
            eventually {
                rig.alive()
                return rig.link.stopConfirmation.load(ordering: .acquiring) & 1 == 1
            })
        rig.sim.withModule(3) { $0.faults.delayMs = 120 }
        var held = 0
        for attempt in 1...10 where held == 0 {
            let generation = UInt16(2 * attempt)
            let (before3, before4) = (enables(3), enables(4))
            #expect(
                eventually {
                    rig.order(move, generation: generation)
                    return enables(3) > before3
                }, "drive 3 never enabled on attempt \(attempt)")
            rig.order(nil, generation: generation + 1)
            let premise = enables(3) == before3 + 1
            #expect(
                eventually {
                    rig.alive()
                    return rig.link.stopConfirmation.load(ordering: .acquiring) == (UInt32(generation + 1) << 1 | 1)
                })
            #expect(rig.sim.withModule(3) { m in RegisterMap.motorChannels.map { m.register($0 + 0x01) } } == [0, 0])
            #expect(rig.sim.withModule(4) { m in RegisterMap.motorChannels.map { m.register($0 + 0x01) } } == [0, 0])
            guard premise else { continue }
            held += 1
            #expect(enables(4) == before4, "drive 4 was enabled after the trip was ordered (attempt \(attempt))")
        }
        #expect(held > 0, "the trip never came while drive 3 was being written")
    }
}
