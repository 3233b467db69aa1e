import Testing

@testable import OHT50Core

/// What a safety relay checks, in the state machine: two E-stop channels and the contactor's feedback.
/// The harness steps 1 ms cycles; discrepancy, pull-in and drop-out times are 100 ms.
@Suite("Two-channel E-stop and contactor feedback")
struct SafetyRelayTests {
    typealias H = SafetyMachineHarness

    static func channel(open: Bool) -> EStopSample { EStopSample(level: open ? .pressed : .released, raw: open ? 0 : 1) }
    /// The feedback line: 1 (active-high) when the relay's NC contact is closed, i.e. dropped out.
    static func feedback(droppedOut: Bool) -> EStopSample { .reading(raw: droppedOut ? 1 : 0, activeLow: false) }

    /// A vehicle with two channels and a feedback contact that follows the relay unless it is welded.
    struct Relay {
        var h = H()
        var welded = false
        var deadCoil = false

        /// The feedback as the real contact would read now: it follows the last output at once.
        var contact: EStopSample {
            let pulledIn = welded || (!deadCoil && h.lastStep?.outputs.motionEnable == true)
            return feedback(droppedOut: !pulledIn)
        }

        @discardableResult
        mutating func step(_ first: Bool = false, _ second: Bool = false, command: SafetyCommand.Kind? = nil) -> SafetyStep {
            var inputs = SafetyInputs(estop: channel(open: first))
            inputs.estopSecond = channel(open: second)
            inputs.feedback = contact
            return h.step(inputs, command: command)
        }

        /// Both channels closed, with a reset that acknowledges the contactor's feedback fault (or not).
        @discardableResult
        mutating func step(acknowledging: Bool) -> SafetyStep {
            var inputs = SafetyInputs(estop: channel(open: false))
            inputs.estopSecond = channel(open: false)
            inputs.feedback = contact
            var command = h.command(.reset)
            command.acknowledgesFeedback = acknowledging
            return h.step(inputs, sending: command)
        }

        mutating func run(_ cycles: Int, _ first: Bool = false, _ second: Bool = false) {
            for _ in 0..<cycles { step(first, second) }
        }

        static func ready() -> Relay {
            var r = Relay()
            r.run(150)
            r.step(command: .reset)
            precondition(r.h.state == .ready)
            r.run(5)
            return r
        }
    }

    @Test("either channel opening alone trips at once, and the trip says which channel opened", arguments: [(true, false), (false, true)])
    func oneChannelTrips(first: Bool, second: Bool) {
        var r = Relay.ready()
        let s = r.step(first, second)
        #expect(r.h.state == .estop)
        #expect(s.outputs.motionEnable == false)
        let trip = try! #require(r.h.events.last { $0.kind == .trip })
        #expect(trip.causes == .estop)
        #expect(trip.estopChannelsDetail == (first ? "1" : "2"))
    }

    @Test("channels that disagree shorter than discrepancy_ms are no fault: a press released, then reset as usual")
    func shortDisagreement() {
        var r = Relay.ready()
        r.run(20, true, false)
        r.run(20, true, true)
        r.run(150)
        #expect(r.h.state == .latched)
        #expect(!r.h.machine.activeCauses.contains(.estopDiscrepancy))
        #expect(r.step(command: .reset).reply?.accepted == true)
    }

    @Test("a channel stuck closed past discrepancy_ms is estop_discrepancy, refused until both open and close together")
    func stuckChannel() throws {
        var r = Relay.ready()
        r.run(101, true, false)
        r.run(5, true, false)
        #expect(r.h.machine.activeCauses.contains(.estopDiscrepancy))
        r.run(200)
        #expect(r.h.state == .fault)
        let refused = try #require(r.step(command: .reset).reply)
        #expect(!refused.accepted)
        let codes = RefusalText.reasons(refused.refusal, resetReleaseMs: 100).map(\.code)
        #expect(codes.contains("estop_discrepancy"))

        // Channel 2 repaired: both open, then both closed together.
        r.run(10, true, true)
        #expect(r.h.machine.activeCauses.contains(.estopDiscrepancy))
        r.run(150)
        #expect(!r.h.machine.activeCauses.contains(.estopDiscrepancy))
        #expect(r.h.state == .latched)
        #expect(r.step(command: .reset).reply?.accepted == true)
    }

    @Test(
        "a press that opens one channel only, shorter than discrepancy_ms, latches estop_discrepancy naming the channel that never opened",
        arguments: [(true, false, UInt8(2)), (false, true, UInt8(1))])
    func channelThatNeverOpened(first: Bool, second: Bool, never: UInt8) throws {
        // Issue 38, recipe 3: channel 2 stuck closed, channel 1 pressed for 60 % of the window.
        var r = Relay.ready()
        r.run(60, first, second)
        #expect(r.h.state == .estop)
        #expect(!r.h.machine.activeCauses.contains(.estopDiscrepancy), "within the window, still pressed: no verdict yet")
        r.run(150)
        #expect(r.h.machine.activeCauses.contains(.estopDiscrepancy))
        #expect(r.h.machine.discrepancy.neverOpened == never)
        #expect(r.h.state == .fault)
        let refused = try #require(r.step(command: .reset).reply)
        #expect(!refused.accepted)
        #expect(RefusalText.reasons(refused.refusal, resetReleaseMs: 100).map(\.code).contains("estop_discrepancy"))
        #expect(r.h.lastStep?.outputs.motionEnable == false)

        // Repaired: a press that opens both, released together, clears it.
        r.run(10, true, true)
        r.run(150)
        #expect(r.h.state == .latched)
        #expect(r.h.machine.discrepancy.neverOpened == 0)
        #expect(r.step(command: .reset).reply?.accepted == true)
    }

    @Test("a press on both channels, released one after the other within the window, leaves no fault")
    func bothOpenedReleasedApart() {
        var r = Relay.ready()
        r.run(30, true, true)
        r.run(40, false, true)
        r.run(150)
        #expect(!r.h.machine.activeCauses.contains(.estopDiscrepancy))
        #expect(r.step(command: .reset).reply?.accepted == true)
    }

    @Test("closing the channels further apart than discrepancy_ms does not clear the fault")
    func closingApart() {
        var r = Relay.ready()
        r.run(150, true, false)
        r.run(10, true, true)
        r.run(150, false, true)
        r.run(150)
        #expect(r.h.machine.activeCauses.contains(.estopDiscrepancy))
        #expect(r.h.state == .fault)
        r.run(10, true, true)
        r.run(150)
        #expect(r.h.state == .latched)
    }

    @Test("a one-channel configuration knows nothing of discrepancy: one input, the behaviour of before")
    func oneChannel() {
        var h = H.ready()
        h.run(500, H.pressed)
        h.run(150)
        #expect(h.state == .latched)
        #expect(h.machine.activeCauses.isEmpty)
        #expect(h.step(command: .reset).reply?.accepted == true)
    }

    @Test("a welded contactor trips output_fault naming the feedback, and reset is refused while it shows pulled in")
    func weldedContactor() throws {
        var r = Relay.ready()
        r.welded = true
        r.step(true, true)
        #expect(r.h.state == .estop)
        // Within drop_out_ms the relay may still be falling: no fault yet, but no reset either.
        r.run(50)
        #expect(!r.h.machine.activeCauses.contains(.outputFault))
        let early = try #require(r.step(command: .reset).reply)
        #expect(early.refusal.reasons.contains(.contactorNotDroppedOut))
        r.run(60)
        #expect(r.h.machine.activeCauses.contains(.outputFault))
        #expect(r.h.state == .fault)
        let trip = try #require(r.h.events.last { $0.kind == .trip })
        #expect(trip.causes == .outputFault)
        #expect(trip.feedbackFault == .notDroppedOut)
        #expect(trip.tripDetail == "feedback=not_dropped_out")
        let refused = try #require(r.step(command: .reset).reply)
        let reasons = RefusalText.reasons(refused.refusal, resetReleaseMs: 100)
        #expect(reasons.map(\.code).contains("contactor_not_dropped_out"))
        #expect(reasons.first { $0.code == "output_fault" }?.message.contains("outputs.motion_enable.feedback") == true)

        // Repaired: the feedback agrees again, but the fault stays latched until a reset acknowledges it.
        r.welded = false
        r.run(5)
        #expect(r.h.state == .fault)
        #expect(r.step(command: .reset).reply?.accepted == false)
        let ack = r.step(acknowledging: true)
        #expect(ack.reply?.accepted == true)
        #expect(r.h.events.last { $0.kind == .resetAccepted }?.tripDetail == "acknowledged=contactor_feedback feedback=not_dropped_out")
    }

    @Test("a feedback stuck dropped out (recipe 4) stays latched off: every reset after it needs a named acknowledgement")
    func feedbackStuckDroppedOut() throws {
        var r = Relay.ready()
        r.deadCoil = true
        r.run(120)
        #expect(r.h.state == .fault)
        // The output is off, the dead feedback agrees with it: the fault is still there.
        r.run(500)
        #expect(r.h.state == .fault)
        #expect(r.h.machine.contactor.fault == .notPulledIn)
        let refused = try #require(r.step(command: .reset).reply)
        #expect(!refused.accepted)
        #expect(
            RefusalText.reasons(refused.refusal, resetReleaseMs: 100).first { $0.code == "output_fault" }?.message
                .contains("--acknowledge contactor_feedback") == true)
        // Acknowledged: one reset, the output on, and after pull_in_ms the same fault, latched again.
        #expect(r.step(acknowledging: true).reply?.accepted == true)
        r.run(120)
        #expect(r.h.state == .fault)
        r.run(500)
        #expect(r.h.state == .fault)
        #expect(r.step(command: .reset).reply?.accepted == false)
    }

    @Test("an acknowledgement carried by a refused reset changes nothing: the fault stays latched, a later plain reset is refused")
    func acknowledgementWithARefusedReset() throws {
        var r = Relay.ready()
        r.deadCoil = true
        r.run(120)
        r.deadCoil = false
        r.run(5)
        #expect(r.h.state == .fault)
        // Pressed and released just now: the release time refuses the reset that carries the acknowledgement.
        r.run(5, true, true)
        r.run(10)
        let refused = try #require(r.step(acknowledging: true).reply)
        #expect(!refused.accepted)
        #expect(r.h.machine.contactor.fault == .notPulledIn)
        #expect(r.h.state == .fault)
        #expect(r.h.events.last { $0.kind == .resetRefused }?.acknowledgedFeedback == ContactorMonitor.Fault.none)
        r.run(150)
        #expect(r.step(command: .reset).reply?.accepted == false)
        #expect(r.step(acknowledging: true).reply?.accepted == true)
    }

    @Test("an acknowledgement while the mismatch is still there clears nothing: a welded contact stays output_fault")
    func acknowledgingAPresentFault() {
        var r = Relay.ready()
        r.welded = true
        r.run(5, true, true)
        r.run(200)
        #expect(r.h.machine.activeCauses.contains(.outputFault))
        #expect(r.step(acknowledging: true).reply?.accepted == false)
        #expect(r.h.machine.contactor.fault == .notDroppedOut)
        #expect(r.h.state == .fault)
    }

    @Test("a relay that does not pull in within pull_in_ms trips output_fault (not_pulled_in)")
    func deadCoil() throws {
        var r = Relay.ready()
        r.deadCoil = true
        r.run(90)
        #expect(r.h.state == .ready)
        r.run(10)
        #expect(!r.h.state.permitsMotion)
        let trip = try #require(r.h.events.last { $0.kind == .trip })
        #expect(trip.causes == .outputFault)
        #expect(trip.feedbackFault == .notPulledIn)
        // Off again, the dead relay agrees with its output: still a fault, until acknowledged.
        r.run(2)
        #expect(r.h.state == .fault)
    }

    @Test("a feedback that pulls in and drops out in time never faults through resets, moves and trips")
    func healthyContactor() {
        var r = Relay.ready()
        for _ in 0..<3 {
            r.step(command: .move(MotionRequest(speedPercent: 20, direction: .forward)))
            r.run(50)
            r.run(5, true, true)
            r.run(150)
            #expect(r.step(command: .reset).reply?.accepted == true)
            r.run(150)
        }
        #expect(!r.h.events.contains { $0.kind == .trip && $0.causes.contains(.outputFault) })
    }

    @Test("an unreadable feedback line is output_fault: the output cannot be checked")
    func unreadableFeedback() {
        var r = Relay.ready()
        var inputs = SafetyInputs(estop: Self.channel(open: false))
        inputs.estopSecond = Self.channel(open: false)
        inputs.feedback = EStopSample.unreadable
        r.h.step(inputs)
        #expect(r.h.state == .fault)
        #expect(r.h.events.last { $0.kind == .trip }?.feedbackFault == .unreadable)
    }
}
