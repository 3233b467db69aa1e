import PropertyBased
import Testing

@testable import OHT50Core

/// Issue 29, item 5: the state machine under random interleavings of both E-stop channels, a contactor
/// that may weld or come free, resets and moves, each held for a random number of 1 ms cycles. Whatever
/// the order, three things never happen: `ready`/`moving` while either channel is open, a reset accepted
/// while the feedback shows the relay pulled in, `ready`/`moving` while the discrepancy fault is latched.
@Suite("Safety relay properties")
struct SafetyRelayPropertyTests {
    enum Act: CaseIterable, Sendable {
        case openFirst, openSecond, closeFirst, closeSecond, openBoth, closeBoth, weld, unweld, reset, move, stop, wait
    }

    struct Step: Sendable, CustomStringConvertible {
        var act: Act
        /// Cycles the inputs are held after the act.
        var cycles: Int
        var description: String { "\(act)×\(cycles)" }
    }

    /// A slow contactor: drop-out (300 ms) outlasts the E-stop's release time (100 ms), so a reset can come
    /// while the relay may still be falling — only the feedback can refuse it then.
    static let timings: SafetyTimings = {
        var t = SafetyMachineHarness.timings
        t.pullInNs = 300_000_000
        t.dropOutNs = 300_000_000
        return t
    }()

    static let steps = zip(Gen<Act>.case, Gen.int(in: 1...200)).map { Step(act: $0, cycles: $1) }.array(of: 1...120)

    /// One cycle of an interleaving, as the checks see it.
    struct Cycle {
        var machine: SafetyMachine
        var step: SafetyStep
        /// The feedback the machine read this cycle.
        var contact: EStopSample
        var channelOpen: Bool
        /// The cycle carried a reset.
        var reset: Bool
        var location: String
    }

    /// Plays one interleaving, calling `check` after every cycle; returns the first thing it reports.
    static func play(_ steps: [Step], check: (Cycle) -> String?) -> String? {
        var r = SafetyRelayTests.Relay(h: SafetyMachineHarness(timings: timings))
        var first = false
        var second = false
        for (index, step) in steps.enumerated() {
            var command: SafetyCommand.Kind?
            switch step.act {
            case .openFirst: first = true
            case .openSecond: second = true
            case .closeFirst: first = false
            case .closeSecond: second = false
            case .openBoth: (first, second) = (true, true)
            case .closeBoth: (first, second) = (false, false)
            case .weld: r.welded = true
            case .unweld: r.welded = false
            case .reset: command = .reset
            case .move: command = .move(MotionRequest(speedPercent: 30, direction: .forward))
            case .stop: r.h.stops += 1
            case .wait: break
            }
            for cycle in 0..<step.cycles {
                let contact = r.contact
                let s = r.step(first, second, command: cycle == 0 ? command : nil)
                let seen = Cycle(
                    machine: r.h.machine, step: s, contact: contact, channelOpen: first || second, reset: cycle == 0 && command == .reset,
                    location: "step \(index) (\(step)), cycle \(cycle)")
                if let broken = check(seen) { return broken }
            }
        }
        return nil
    }

    @Test("never ready with a channel open, after a reset with the relay pulled in, or inside a discrepancy fault")
    func invariants() async {
        await propertyCheck(count: 300, input: Self.steps) { steps in
            await yieldBetweenCases()
            let broken = Self.play(steps) { c in
                let state = c.machine.state
                if state.permitsMotion && c.channelOpen { return "\(state) with a channel open at \(c.location)" }
                if state.permitsMotion && c.machine.discrepancy.latched { return "\(state) inside a discrepancy at \(c.location)" }
                if c.step.outputs.motionEnable && !state.permitsMotion { return "motion-enable on in \(state) at \(c.location)" }
                if c.reset && c.step.reply?.accepted == true && ContactorMonitor.Reading(c.contact) != .droppedOut {
                    return "reset accepted with the feedback pulled in at \(c.location)"
                }
                return nil
            }
            #expect(broken == nil, "\(broken ?? "")")
        }
    }

    @Test("the generated interleavings reach ready, moving, estop_discrepancy and a welded output_fault: the property is not vacuous")
    func interleavingsReachEveryCase() async {
        var reached: Set<String> = []
        await propertyCheck(count: 300, input: Self.steps) { steps in
            await yieldBetweenCases()
            _ = Self.play(steps) { c in
                reached.insert(c.machine.state.name)
                if c.machine.activeCauses.contains(.estopDiscrepancy) { reached.insert("estop_discrepancy") }
                if c.machine.contactor.fault == .notDroppedOut { reached.insert("welded") }
                return nil
            }
        }
        #expect(reached.isSuperset(of: ["ready", "moving", "estop", "fault", "latched", "estop_discrepancy", "welded"]), "\(reached)")
    }
}
