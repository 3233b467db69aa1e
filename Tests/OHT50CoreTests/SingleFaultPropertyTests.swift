import PropertyBased
import Testing

@testable import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// Issue 38, Deliver 3: the state machine with a fault model. One single fault of `docs/single-faults.md`
/// is injected at a random step of a random interleaving of presses (both channels), resets, moves and
/// stops, and stays. Whatever the order:
/// - motion-enable is never on, nor a drive commanded, in a cycle whose inputs show a fault the machine
///   can see at once (an unreadable line, an output that did not hold, a bus cause, a stall);
/// - a feedback stuck dropped out keeps motion-enable on for at most `pull_in_ms` at a time, and once an
///   on-window has shown it, never again;
/// - after a press that a stuck-closed channel did not follow, no reset is accepted;
/// - a reset is never accepted while the feedback reads pulled in.
/// `OHT50_PROPERTY_COUNT` sets the number of interleavings (default 1,000).
@Suite("Single faults in random interleavings")
struct SingleFaultPropertyTests {
    enum Act: CaseIterable, Sendable {
        case pressBoth, releaseBoth, pressFirst, releaseFirst, reset, move, stop, wait
    }

    enum Fault: CaseIterable, Sendable {
        case secondChannelStuckClosed, feedbackStuckDroppedOut, feedbackWelded, feedbackUnreadable, estopUnreadable
        case outputDoesNotHold, driveWatchdog, driveSilent, driveCoasting, driveNotFollowing, stallPulse
    }

    struct Step: Sendable, CustomStringConvertible {
        var act: Act
        var cycles: Int
        var description: String { "\(act)×\(cycles)" }
    }

    struct Scenario: Sendable, CustomStringConvertible {
        var fault: Fault
        /// The step before which the fault appears (past the end: never).
        var at: Int
        var steps: [Step]
        var description: String { "\(fault) at step \(at) of \(steps)" }
    }

    static let timings: SafetyTimings = {
        var t = SafetyMachineHarness.timings
        t.pullInNs = 100_000_000
        t.dropOutNs = 100_000_000
        t.discrepancyNs = 1_000_000_000
        return t
    }()

    static let scenarios = zip(
        Gen<Fault>.case, Gen.int(in: 0...40),
        zip(Gen<Act>.case, Gen.int(in: 1...150)).map { Step(act: $0, cycles: $1) }.array(of: 1...60)
    ).map { Scenario(fault: $0, at: $1, steps: $2) }

    static var count: Int {
        getenv("OHT50_PROPERTY_COUNT").flatMap { Int(String(cString: $0)) } ?? 1_000
    }

    static func channel(open: Bool) -> EStopSample { EStopSample(level: open ? .pressed : .released, raw: open ? 0 : 1) }

    /// Plays one scenario; returns the first broken invariant, nil when none broke. `reached` collects
    /// which faults were seen detected, so the property is known not to be vacuous.
    static func play(_ scenario: Scenario, reached: inout Set<String>) -> String? {
        var h = SafetyMachineHarness(timings: timings)
        var pressedFirst = false
        var pressedSecond = false
        var faulted = false
        var motionOn = false
        var onCyclesWithDeadFeedback = 0
        /// The last cycle left motion on: a drive with a dead speed sensor is reported only while it is told to move.
        var moving = false
        var deadFeedbackLatched = false
        /// With the stuck channel: a press of the first channel that began after the fault appeared (the
        /// channel was seen closed first) was seen, and has ended.
        var closedSinceFault = false
        var demandSeenOpen = false
        var demandEnded = false
        let pullInCycles = Int(timings.pullInNs / timings.cycleNs)
        // Booted and reset once with nothing wrong, so every fault can find the vehicle ready.
        h.run(150)
        h.step(command: .reset)
        for (index, step) in scenario.steps.enumerated() {
            if index == scenario.at { faulted = true }
            var command: SafetyCommand.Kind?
            switch step.act {
            case .pressBoth: (pressedFirst, pressedSecond) = (true, true)
            case .releaseBoth: (pressedFirst, pressedSecond) = (false, false)
            case .pressFirst: pressedFirst = true
            case .releaseFirst: pressedFirst = false
            case .reset: command = .reset
            case .move: command = .move(MotionRequest(speedPercent: 40, direction: .forward))
            case .stop: h.stops += 1
            case .wait: break
            }
            for cycle in 0..<step.cycles {
                let fault = faulted ? scenario.fault : nil
                var inputs = SafetyInputs(estop: channel(open: pressedFirst))
                inputs.estopSecond = channel(open: pressedSecond && fault != .secondChannelStuckClosed)
                let pulledIn: Bool =
                    switch fault {
                    case .feedbackWelded: true
                    case .feedbackStuckDroppedOut: false
                    default: motionOn
                    }
                inputs.feedback = fault == .feedbackUnreadable ? .unreadable : .reading(raw: pulledIn ? 0 : 1, activeLow: false)
                if fault == .estopUnreadable { inputs.estop = .unreadable }
                inputs.outputFault = fault == .outputDoesNotHold
                switch fault {
                case .driveWatchdog: inputs.busCauses = .driveWatchdog
                case .driveSilent:
                    inputs.busCauses = .commLoss
                    inputs.requiredModulesHealthy = false
                case .driveCoasting:
                    inputs.busCauses = .driveNotStopped
                    inputs.drivesStopped = false
                case .driveNotFollowing where moving: inputs.busCauses = .driveNotFollowing
                default: break
                }
                let stallNow = fault == .stallPulse && index == scenario.at && cycle == 0
                inputs.stalled = stallNow
                if fault == .secondChannelStuckClosed {
                    if !pressedFirst { closedSinceFault = true }
                    if pressedFirst && closedSinceFault {
                        demandSeenOpen = true
                    } else if !pressedFirst && demandSeenOpen {
                        demandEnded = true
                    }
                }

                let sent = cycle == 0 ? command : nil
                let s = h.step(inputs, command: sent)
                motionOn = s.outputs.motionEnable
                let on = s.outputs.motionEnable || s.outputs.drive != nil
                defer { moving = on }
                let where_ = "\(scenario.fault) present=\(fault != nil), step \(index) (\(step)), cycle \(cycle)"

                let seenAtOnce: Set<Fault> = [
                    .feedbackUnreadable, .estopUnreadable, .outputDoesNotHold, .driveWatchdog, .driveSilent, .driveCoasting,
                ]
                if let fault, seenAtOnce.contains(fault) || stallNow {
                    if on { return "motion-enable or a drive on with \(fault) present at \(where_)" }
                    reached.insert("\(fault)")
                }
                if fault == .driveNotFollowing && inputs.busCauses.contains(.driveNotFollowing) {
                    if on { return "motion-enable or a drive on while the bus reports drive_not_following at \(where_)" }
                    reached.insert("\(Fault.driveNotFollowing)")
                }
                if fault == .feedbackStuckDroppedOut {
                    // An on-window shorter than pull_in_ms cannot tell a dead feedback from a slow relay (nor can a
                    // safety relay's EDM); one longer can, and from then on it is latched: no motion again.
                    onCyclesWithDeadFeedback = s.outputs.motionEnable ? onCyclesWithDeadFeedback + 1 : 0
                    if onCyclesWithDeadFeedback > pullInCycles + 1 {
                        return
                            "the drives ran \(onCyclesWithDeadFeedback) cycles on a feedback stuck dropped out (pull_in \(pullInCycles)) at \(where_)"
                    }
                    if deadFeedbackLatched && on { return "motion after a dead feedback was found at \(where_)" }
                    if h.machine.contactor.fault == .notPulledIn {
                        deadFeedbackLatched = true
                        reached.insert("\(Fault.feedbackStuckDroppedOut)")
                    }
                }
                if fault == .secondChannelStuckClosed && demandEnded {
                    if sent == .reset && s.reply?.accepted == true {
                        return "reset accepted after a press channel 2 did not follow at \(where_)"
                    }
                    if on { return "motion after a press channel 2 did not follow at \(where_)" }
                    reached.insert("\(Fault.secondChannelStuckClosed)")
                }
                if sent == .reset && s.reply?.accepted == true && pulledIn {
                    return "reset accepted with the feedback pulled in at \(where_)"
                }
                if fault == .feedbackWelded && h.machine.contactor.fault == .notDroppedOut { reached.insert("\(Fault.feedbackWelded)") }
                if on && (pressedFirst || (pressedSecond && fault != .secondChannelStuckClosed)) {
                    return "motion with a channel open at \(where_)"
                }
            }
        }
        return nil
    }

    @Test(
        "one single fault injected into random interleavings: never motion while it shows, a dead feedback at most once, a stuck channel found"
    )
    func faultModel() async {
        var reached: Set<String> = []
        await propertyCheck(count: Self.count, input: Self.scenarios) { scenario in
            await yieldBetweenCases()
            let broken = Self.play(scenario, reached: &reached)
            #expect(broken == nil, "\(broken ?? "")")
        }
        // Not vacuous: every fault was injected and seen detected in some interleaving.
        #expect(reached == Set(Fault.allCases.map { "\($0)" }), "\(Set(Fault.allCases.map { "\($0)" }).subtracting(reached))")
    }
}
