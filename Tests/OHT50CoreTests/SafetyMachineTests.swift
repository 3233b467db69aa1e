import Testing

@testable import OHT50Core

@Suite("Safety state machine")
struct SafetyMachineTests {
    typealias H = SafetyMachineHarness

    // MARK: boot

    @Test(
        "boot never reaches ready without a reset, whatever the inputs and other commands",
        arguments: [H.released, H.pressed, SafetyInputs(estop: .unreadable), H.with { $0.busReady = false }])
    func bootNeverReady(inputs: SafetyInputs) {
        var h = H()
        for cycle in 0..<2_000 {
            if cycle % 2 == 1 { h.stops += 1 }
            let s = h.step(inputs, command: .move(MotionRequest(speedPercent: 10, direction: .forward)))
            #expect(h.state != .ready && h.state != .moving)
            #expect(s.outputs == .off)
        }
    }

    @Test("a reset during init is refused")
    func resetDuringInit() {
        var h = H()
        let s = h.step(command: .reset)
        #expect(s.reply?.accepted == false)
        #expect(s.reply?.refusal.reasons.contains(.stateNotLatched) == true)
        #expect(h.state == .initializing)
    }

    @Test("boot ends in latched, estop or stays init by what the first healthy cycles saw")
    func bootOutcome() {
        var released = H()
        released.run(9)
        #expect(released.state == .initializing)
        released.run(1)
        #expect(released.state == .latched)

        var pressed = H()
        pressed.run(10, H.pressed)
        #expect(pressed.state == .estop)

        var unreadable = H()
        unreadable.run(100, SafetyInputs(estop: .unreadable))
        #expect(unreadable.state == .initializing)
        #expect(unreadable.machine.activeCauses == .inputFault)

        var busNotReady = H()
        busNotReady.run(100, H.with { $0.busReady = false })
        #expect(busNotReady.state == .initializing)
        busNotReady.run(10)
        #expect(busNotReady.state == .latched)

        var commLoss = H()
        commLoss.run(10, H.with { $0.busCauses = .commLoss })
        #expect(commLoss.state == .fault)
    }

    // MARK: trips

    struct TripCase: CustomTestStringConvertible, Sendable {
        var from: String
        var inputs: SafetyInputs
        var cause: TripCauses
        var to: SafetyState
        var testDescription: String { "\(from) + \(cause.names) → \(to.name)" }
    }

    static let tripCases: [TripCase] = {
        var cases: [TripCase] = []
        let triggers: [(SafetyInputs, TripCauses, SafetyState)] = [
            (H.pressed, .estop, .estop),
            (SafetyInputs(estop: EStopSample(level: .released, pressEdge: true, raw: 1)), .estop, .estop),
            (SafetyInputs(estop: .unreadable), .inputFault, .estop),
            (H.with { $0.busCauses = .commLoss }, .commLoss, .fault),
            (H.with { $0.busCauses = .moduleAlarm }, .moduleAlarm, .fault),
            (H.with { $0.busCauses = .busThreadDead }, .busThreadDead, .fault),
            (H.with { $0.outputFault = true }, .outputFault, .fault),
            (H.with { $0.stalled = true }, .stall, .fault),
        ]
        for from in ["latched", "ready", "moving"] {
            for (inputs, cause, to) in triggers { cases.append(TripCase(from: from, inputs: inputs, cause: cause, to: to)) }
        }
        return cases
    }()

    static func harness(_ name: String) -> H {
        switch name {
        case "ready": H.ready()
        case "moving": H.moving()
        default: H.latched()
        }
    }

    @Test("a trip is immediate: the same cycle opens motion-enable, stops the drive and records the cause", arguments: tripCases)
    func tripIsImmediate(c: TripCase) {
        var h = Self.harness(c.from)
        let from = h.state
        let s = h.step(c.inputs)
        #expect(h.state == c.to)
        #expect(s.outputs == .off)
        #expect(h.machine.lastTrip == TripRecord(causes: c.cause, at: h.now, from: from))
        #expect(s.events.all.contains { $0.kind == .trip && $0.causes == c.cause && $0.from == from && $0.to == c.to })
        #expect(s.events.all.contains { $0.kind == .stateChange && $0.from == from && $0.to == c.to })
    }

    @Test("when every cause is gone the state falls back to latched, never further", arguments: tripCases)
    func recoveryStopsAtLatched(c: TripCase) {
        var h = Self.harness(c.from)
        h.step(c.inputs)
        h.run(500)
        #expect(h.state == .latched)
        #expect(h.lastStep?.outputs == .off)
    }

    @Test("estop takes precedence over other causes, fault holds while any cause is active")
    func latchedStateByCause() {
        var h = H.ready()
        h.step(
            H.with {
                $0.estop = EStopSample(level: .pressed, raw: 0)
                $0.busCauses = .commLoss
            })
        #expect(h.state == .estop)
        h.step(H.with { $0.busCauses = .commLoss })
        #expect(h.state == .fault)
        h.step()
        #expect(h.state == .latched)
    }

    @Test("a press shorter than one cycle trips and restarts the release timer")
    func shortPressTrips() {
        var h = H.ready()
        h.step(SafetyInputs(estop: EStopSample(level: .released, pressEdge: true, raw: 1)))
        #expect(h.state == .estop)
        h.step()
        #expect(h.state == .latched)
        let refused = h.step(command: .reset)
        #expect(refused.reply?.accepted == false)
        #expect(refused.reply?.refusal.reasons == .releaseTooShort)
    }

    @Test("an estop trip keeps the input's edge timestamp; other trips carry none")
    func tripKeepsEdgeTimestamp() throws {
        var h = H.ready()
        let edgeAt = h.now - 400_000
        let trip = try #require(
            h.step(SafetyInputs(estop: EStopSample(level: .released, pressEdge: true, raw: 1, edgeAt: edgeAt))).events.all.first)
        #expect(trip.kind == .trip && trip.causes == .estop)
        #expect(trip.estopEdgeAt == edgeAt)
        #expect(trip.estopEdgeDetail == "estop_edge_ns=\(edgeAt) edge_to_trip_us=\((trip.at - edgeAt) / 1_000)")

        var other = H.ready()
        let commLoss = try #require(
            other.step(
                H.with {
                    $0.busCauses = .commLoss
                    $0.estop.edgeAt = 5
                }
            ).events.all.first)
        #expect(commLoss.causes == .commLoss && commLoss.estopEdgeAt == 0 && commLoss.estopEdgeDetail == nil)
    }

    // MARK: reset

    @Test("a reset while the E-stop is pressed is refused with every reason and changes nothing")
    func resetWhilePressed() {
        var h = H.latched()
        h.run(5, H.pressed)
        h.events.removeAll()
        let s = h.step(H.pressed, command: .reset)
        let refusal = try! #require(s.reply?.refusal)
        #expect(s.reply?.accepted == false)
        #expect(refusal.activeCauses == .estop)
        #expect(refusal.reasons == [.stateNotLatched, .releaseTooShort])
        #expect(refusal.releaseRemainingNs == H.timings.resetReleaseNs)
        #expect(h.state == .estop)
        #expect(h.events.map(\.kind) == [.resetRefused])
        #expect(h.events.first?.commandID == 7)
        #expect(
            RefusalText.reasons(refusal, resetReleaseMs: 100).map(\.code) == [
                "estop_pressed", "state_not_latched", "estop_release_too_short",
            ])
    }

    @Test("a reset is refused while any cause is active", arguments: [TripCauses.commLoss, .moduleAlarm, .busThreadDead])
    func resetWhileCauseActive(cause: TripCauses) {
        var h = H.latched()
        h.run(200, H.with { $0.busCauses = cause })
        let s = h.step(H.with { $0.busCauses = cause }, command: .reset)
        #expect(s.reply?.accepted == false)
        #expect(s.reply?.refusal.activeCauses == cause)
        #expect(s.reply?.refusal.reasons == .stateNotLatched)
        #expect(h.state == .fault)
    }

    @Test("a reset is refused until the line has read released for reset_release_ms, then accepted")
    func resetNeedsContinuousRelease() {
        var h = H.latched()
        h.run(3, H.pressed)
        h.run(99)
        #expect(h.state == .latched)
        let early = h.step(command: .reset)
        #expect(early.reply?.accepted == false)
        #expect(early.reply?.refusal.reasons == .releaseTooShort)
        // Released for 99 of the 100 ms: one millisecond to go, and it says so.
        #expect(early.reply?.refusal.releaseRemainingNs == 1_000_000)
        h.run(1)
        let accepted = h.step(command: .reset)
        #expect(accepted.reply?.accepted == true)
        #expect(h.state == .ready)
    }

    @Test("a reset is refused while a required module is unhealthy")
    func resetNeedsHealthyModules() {
        var h = H.latched()
        let s = h.step(H.with { $0.requiredModulesHealthy = false }, command: .reset)
        #expect(s.reply?.refusal.reasons == .moduleUnhealthy)
        #expect(h.state == .latched)
    }

    @Test("while a drive has not read back its stop, reset and move are refused saying so; once it has, both are accepted")
    func driveStopMustBeConfirmed() {
        var h = H.latched()
        let unconfirmed = H.with { $0.drivesStopped = false }
        let reset = h.step(unconfirmed, command: .reset)
        #expect(reset.reply?.refusal.reasons == .driveStopUnconfirmed)
        #expect(RefusalText.codes(reset.reply!.refusal.reasons, causes: []) == ["drive_stop_unconfirmed"])
        #expect(h.state == .latched)
        #expect(h.step(command: .reset).reply?.accepted == true)

        let move = h.step(unconfirmed, command: .move(MotionRequest(speedPercent: 10, direction: .forward)))
        #expect(move.reply?.refusal.reasons == .driveStopUnconfirmed)
        #expect(h.state == .ready)
        #expect(move.outputs.drive == nil)
        #expect(h.step(command: .move(MotionRequest(speedPercent: 10, direction: .forward))).reply?.accepted == true)
        #expect(h.state == .moving)
    }

    @Test("a reset outside latched is refused", arguments: ["init", "ready", "moving", "estop", "fault", "shutdown"])
    func resetOutsideLatched(from: String) {
        var (h, inputs) = H.holding(from)
        let before = h.state
        let s = h.step(inputs, command: .reset)
        #expect(s.reply?.accepted == false)
        #expect(s.reply?.refusal.reasons.contains(.stateNotLatched) == true)
        #expect(h.state == before)
    }

    @Test("an accepted reset enables motion but starts nothing")
    func resetStartsNoMotion() {
        var h = H.latched()
        let s = h.step(command: .reset)
        #expect(s.reply?.accepted == true)
        #expect(s.outputs == SafetyOutputs(motionEnable: true, drive: nil))
        #expect(h.events.suffix(2).map(\.kind) == [.resetAccepted, .stateChange])
    }

    @Test("a trip in the same cycle as a reset wins")
    func tripBeatsReset() {
        var h = H.latched()
        let s = h.step(H.pressed, command: .reset)
        #expect(s.reply?.accepted == false)
        #expect(h.state == .estop)
    }

    // MARK: motion

    @Test("move is accepted only in ready and moving, with every reason otherwise")
    func moveOnlyWhenReady() {
        let request = MotionRequest(speedPercent: 50, direction: .reverse)
        var latched = H.latched()
        let refused = latched.step(command: .move(request))
        #expect(refused.reply?.accepted == false)
        #expect(refused.reply?.refusal.reasons == .stateNotReady)
        #expect(latched.state == .latched)

        var pressed = H.latched()
        let refusedPressed = pressed.step(H.pressed, command: .move(request))
        #expect(refusedPressed.reply?.refusal.activeCauses == .estop)
        // Sent before the press's trip: discarded, and the answer still names the press.
        #expect(refusedPressed.reply?.refusal.reasons == [.stateNotReady, .driveStopUnconfirmed, .issuedBeforeTrip])

        var ready = H.ready()
        let accepted = ready.step(command: .move(request))
        #expect(accepted.reply?.accepted == true)
        #expect(ready.state == .moving)
        #expect(accepted.outputs == SafetyOutputs(motionEnable: true, drive: request))
    }

    @Test("without a refresh the lease stops the drives and returns to ready; a refresh extends it")
    func motionLease() {
        var h = H.moving()
        h.run(200)
        h.step(command: .move(MotionRequest(speedPercent: 60, direction: .forward)))
        h.run(299)
        #expect(h.state == .moving)
        #expect(h.lastStep?.outputs.drive?.speedPercent == 60)
        h.run(1)
        #expect(h.state == .ready)
        #expect(h.lastStep?.outputs == SafetyOutputs(motionEnable: true, drive: nil))
        #expect(h.events.contains { $0.kind == .leaseExpired })
    }

    @Test(
        "a stop request stops motion from any state, is never refused and never a command",
        arguments: ["init", "latched", "ready", "moving", "estop", "fault", "shutdown"])
    func stopAlwaysTakesEffect(from: String) {
        var (h, inputs) = H.holding(from)
        let before = h.state
        h.stops += 1
        let s = h.step(inputs)
        #expect(s.reply == nil)
        #expect(s.outputs.drive == nil)
        #expect(h.machine.stopRequestsSeen == h.stops)
        #expect(h.state == (before == .moving ? .ready : before))
    }

    @Test("a stop in the same cycle as a move sent before it wins; a move sent after it is accepted")
    func stopBeatsEarlierMove() {
        var h = H.moving()
        let early = h.command(.move(MotionRequest(speedPercent: 70, direction: .forward)))
        h.stops += 1
        let s = h.step(sending: early)
        #expect(s.reply?.accepted == false)
        #expect(s.reply?.refusal.reasons == .issuedBeforeStop)
        #expect(RefusalText.codes(s.reply!.refusal.reasons, causes: []) == ["issued_before_stop"])
        #expect(h.state == .ready)
        #expect(s.outputs.drive == nil)
        #expect(h.events.last { $0.commandID == 7 }?.kind == .commandDiscarded)

        let late = h.step(command: .move(MotionRequest(speedPercent: 70, direction: .forward)))
        #expect(late.reply?.accepted == true)
        #expect(h.state == .moving)
    }

    // MARK: stale commands (a sender told 503 must never see its command carried out)

    @Test(
        "a command that waited longer than the wait bound, or that its sender withdrew, is discarded unjudged",
        arguments: [SafetyCommand.Kind.reset, .move(MotionRequest(speedPercent: 30, direction: .forward))])
    func expiredCommandDiscarded(kind: SafetyCommand.Kind) {
        var h = kind == .reset ? H.latched() : H.ready()
        let state = h.state
        let old = h.command(kind)
        h.run(100)
        let late = h.step(sending: old)
        #expect(late.reply?.accepted == false)
        #expect(late.reply?.refusal.reasons == .commandExpired)
        #expect(h.state == state)

        let withdrawn = h.step(sending: h.command(kind), withdrawn: true)
        #expect(withdrawn.reply?.refusal.reasons == .commandExpired)
        #expect(h.state == state)
        let event = h.events.last!
        #expect(event.kind == (kind == .reset ? .resetRefused : .commandDiscarded))
        #expect(event.refusal == .commandExpired && event.commandID == 7)

        // Just inside the bound it is judged as usual.
        let inTime = h.command(kind)
        h.run(98)
        #expect(h.step(sending: inTime).reply?.accepted == true)
    }

    @Test("a reset sent before a trip is discarded even when it arrives once the vehicle is latched again")
    func resetFromBeforeTripDiscarded() {
        var h = H.latched()
        let reset = h.command(.reset)
        let generation = h.machine.tripGeneration
        h.step(H.pressed)
        #expect(h.machine.tripGeneration == generation &+ 1)
        h.run(150)
        #expect(h.state == .latched)
        let s = h.step(sending: SafetyCommand(id: 9, kind: .reset, queuedAt: h.now, tripGeneration: generation, stopRequests: 0))
        #expect(s.reply?.accepted == false)
        #expect(s.reply?.refusal.reasons == .issuedBeforeTrip)
        #expect(h.state == .latched)
        #expect(reset.tripGeneration == generation)
        #expect(h.step(command: .reset).reply?.accepted == true)
    }

    @Test("the loop-stall scenario: resets and a move queued during a stall are all discarded when it resumes, never ready")
    func commandsQueuedDuringStall() {
        var h = H.ready()
        // Sent during a 2 s stall, under the generation before the stall's trip.
        let queued = [
            h.command(.reset, id: 1), h.command(.reset, id: 2),
            h.command(.move(MotionRequest(speedPercent: 50, direction: .forward)), id: 3),
        ]
        h.step(H.with { $0.stalled = true }, advanceMs: 2_000)
        #expect(h.state == .fault)
        h.step()
        #expect(h.state == .latched)
        for command in queued {
            let s = h.step(sending: command)
            #expect(s.reply?.accepted == false)
            #expect(s.reply?.refusal.reasons.isSuperset(of: [.commandExpired, .issuedBeforeTrip]) == true)
            #expect(h.state == .latched)
        }
        #expect(!h.events.contains { $0.kind == .resetAccepted && $0.commandID != 7 })
        #expect(h.events.filter { (1...3).contains($0.commandID) }.map(\.kind) == [.resetRefused, .resetRefused, .commandDiscarded])
    }

    @Test("a drive stop confirmed before the latest trip confirms nothing: reset and move wait for this trip's confirmation")
    func stopConfirmationOfEarlierTripIgnored() {
        var h = H.ready()
        h.busConfirmsStops = false
        let confirmedBefore = h.machine.tripGeneration
        let stale = H.with { $0.drivesStoppedGeneration = confirmedBefore }
        h.step(
            H.with {
                $0.stalled = true
                $0.drivesStoppedGeneration = confirmedBefore
            })
        h.step(stale)
        #expect(h.state == .latched)
        #expect(!h.machine.drivesStopped)
        let refused = h.step(stale, command: .reset)
        #expect(refused.reply?.refusal.reasons == .driveStopUnconfirmed)
        let current = H.with { $0.drivesStoppedGeneration = h.machine.tripGeneration }
        #expect(h.step(current, command: .reset).reply?.accepted == true)
    }

    // MARK: outputs

    @Test("motion-enable is on exactly in ready and moving, over a long random walk")
    func motionEnableOnlyWhenPermitted() {
        var h = H()
        var generator = SplitMix64(seed: 42)
        var seen: Set<SafetyState> = []
        for _ in 0..<50_000 {
            var inputs = H.released
            switch generator.next() % 100 {
            case 0..<3: inputs.estop = EStopSample(level: .pressed, raw: 0)
            case 3: inputs.estop = .unreadable
            case 4: inputs.busCauses = .commLoss
            case 5: inputs.stalled = true
            case 6: inputs.estop = EStopSample(level: .released, pressEdge: true, raw: 1)
            default: break
            }
            let command: SafetyCommand.Kind? =
                switch generator.next() % 20 {
                case 0: .reset
                case 1, 2: .move(MotionRequest(speedPercent: UInt8(generator.next() % 101), direction: .forward))
                default: nil
                }
            if generator.next() % 20 == 0 { h.stops += 1 }
            let s = h.step(inputs, command: command)
            seen.insert(h.state)
            #expect(s.outputs.motionEnable == (h.state == .ready || h.state == .moving))
            #expect((s.outputs.drive != nil) == (h.state == .moving))
            if inputs.estop.level != .released || inputs.estop.pressEdge { #expect(!s.outputs.motionEnable) }
        }
        #expect(seen.isSuperset(of: [.initializing, .estop, .fault, .latched, .ready, .moving]))
    }

    @Test("shutdown turns everything off and is final")
    func shutdownIsFinal() {
        var h = H.moving()
        let s = h.step(H.with { $0.shutdownRequested = true })
        #expect(h.state == .shutdown)
        #expect(s.outputs == .off)
        h.step(command: .reset)
        h.step(command: .move(MotionRequest(speedPercent: 10, direction: .forward)))
        h.run(10)
        #expect(h.state == .shutdown)
    }

    @Test("every end of motion without a trip (lease expiry, stop) counts in motionEnds, which the bus thread stops on")
    func motionEndsCounted() {
        var h = H.ready()
        let move = MotionRequest(speedPercent: 30, direction: .forward)
        #expect(h.machine.motionEnds == 0)
        h.step(command: .move(move))
        #expect(h.state == .moving)
        h.run(301)
        #expect(h.state == .ready)
        #expect(h.machine.motionEnds == 1)
        // The same move again at once: a new running order, but the stop between them was counted.
        h.step(command: .move(move))
        #expect(h.state == .moving)
        h.stops += 1
        h.step()
        #expect(h.state == .ready)
        #expect(h.machine.motionEnds == 2)
        // A stop while not moving ends nothing.
        h.stops += 1
        h.step()
        #expect(h.machine.motionEnds == 2)
    }
}

/// A tiny deterministic generator so the random walk is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
