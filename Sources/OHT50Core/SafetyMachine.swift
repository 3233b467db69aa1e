/// The safety state machine of DESIGN "Safety state machine": a value the safety thread steps once
/// per cycle with that cycle's inputs and time. Pure: no clock, no I/O, no allocation.
public struct SafetyMachine: Sendable, BitwiseCopyable {
    public let timings: SafetyTimings
    public private(set) var state: SafetyState = .initializing
    /// Monotonic nanoseconds at which `state` was entered.
    public private(set) var since: UInt64
    /// Causes active in the last step.
    public private(set) var activeCauses: TripCauses = []
    public private(set) var lastTrip: TripRecord?
    /// Since when the E-stop has read released without interruption; `nil` while pressed or unreadable.
    public private(set) var releasedSince: UInt64?
    public private(set) var requiredModulesHealthy = true
    /// Bumped by every trip. A command issued under an older generation is discarded, and a drive stop
    /// counts only when the bus thread confirmed it for this generation.
    public private(set) var tripGeneration: UInt16 = 0
    /// `MotionStopSignal.requests` as last seen: a change stops motion.
    public private(set) var stopRequestsSeen: UInt32 = 0
    /// Bumped every time motion ends without a trip (lease expiry, stop): the bus thread stops the drives
    /// on every change, so a stop followed at once by a move with the same setpoint is still written.
    public private(set) var motionEnds: UInt16 = 0
    private var drivesStoppedReported = true
    private var drivesStoppedGeneration: UInt16 = 0
    /// Every drive has read back the stop it was sent for the latest trip; until then neither reset nor
    /// move is accepted. A confirmation published before the latest trip confirms nothing.
    public var drivesStopped: Bool { drivesStoppedReported && drivesStoppedGeneration == tripGeneration }
    /// The drive command while `moving`.
    public private(set) var motion: MotionRequest?
    /// While `moving`: the drives stop unless a move refreshes the lease before this time.
    public private(set) var leaseDeadline: UInt64 = 0
    private var healthyBootCycles: UInt32 = 0
    /// The two channels of a two-channel E-stop (unused with one).
    public private(set) var discrepancy: EStopDiscrepancy
    /// The motion-enable relay's feedback against the output (judged only when a feedback is read).
    public private(set) var contactor: ContactorMonitor
    /// Whether the inputs carry a feedback reading: reset then needs it dropped out.
    public private(set) var feedbackConfigured = false

    public init(timings: SafetyTimings, now: UInt64) {
        self.timings = timings
        self.since = now
        self.discrepancy = EStopDiscrepancy(windowNs: timings.discrepancyNs)
        self.contactor = ContactorMonitor(pullInNs: timings.pullInNs, dropOutNs: timings.dropOutNs, now: now)
    }

    public var outputs: SafetyOutputs {
        SafetyOutputs(motionEnable: state.permitsMotion, drive: state == .moving ? motion : nil)
    }

    /// Advances one cycle. Trips are handled before the cycle's command, so a command never
    /// outruns a trip seen in the same cycle.
    public mutating func step(_ inputs: SafetyInputs, now: UInt64) -> SafetyStep {
        var events = SafetyEvents()
        let entered = state
        // A reset that acknowledges the contactor's latched fault clears it before this cycle's causes are
        // judged, so the same reset can be accepted; a fault still present stays.
        var acknowledged = ContactorMonitor.Fault.none
        if let command = inputs.command, command.kind == .reset, command.acknowledgesFeedback,
            staleness(of: command, withdrawn: inputs.commandWithdrawn, now: now).isEmpty
        {
            acknowledged = contactor.acknowledge()
        }
        // Both channels as one, once per cycle: the first channel to open trips.
        let estop = inputs.estop.combined(with: inputs.estopSecond)
        let active = observe(inputs, estop: estop, now: now)
        let newlyActive = active.subtracting(activeCauses)
        activeCauses = active

        switch state {
        case .shutdown:
            break
        case _ where inputs.shutdownRequested:
            if newlyActive.contains(.shutdown) {
                tripGeneration &+= 1
                lastTrip = TripRecord(causes: newlyActive, at: now, from: state)
                events.append(SafetyEvent(kind: .trip, at: now, from: state, to: .shutdown, causes: newlyActive))
            }
            motion = nil
            state = .shutdown
        case .initializing:
            healthyBootCycles = estop.level != .unreadable && inputs.busReady ? healthyBootCycles + 1 : 0
            if healthyBootCycles >= timings.bootCycles {
                state = Self.latchedState(for: active)
            }
        default:
            if !newlyActive.isEmpty {
                tripGeneration &+= 1
                lastTrip = TripRecord(causes: newlyActive, at: now, from: state)
                let to = Self.latchedState(for: active)
                var trip = SafetyEvent(kind: .trip, at: now, from: state, to: to, causes: newlyActive)
                if newlyActive.contains(.estop) { trip.estopEdgeAt = estop.edgeAt }
                if let second = inputs.estopSecond {
                    trip.estopChannelsOpen =
                        (EStopDiscrepancy.isOpen(inputs.estop) ? 1 : 0) | (EStopDiscrepancy.isOpen(second) ? 2 : 0)
                }
                if newlyActive.contains(.outputFault) { trip.feedbackFault = contactor.fault }
                events.append(trip)
                motion = nil
                state = to
            } else if state.isLatched {
                state = Self.latchedState(for: active)
            }
        }

        // A stop is never queued behind a move: it is seen here, before this cycle's command.
        if inputs.stopRequests != stopRequestsSeen {
            stopRequestsSeen = inputs.stopRequests
            motion = nil
            if state == .moving {
                state = .ready
                motionEnds &+= 1
            }
        }

        if state == .moving && now >= leaseDeadline {
            events.append(SafetyEvent(kind: .leaseExpired, at: now, from: .moving, to: .ready))
            motion = nil
            state = .ready
            motionEnds &+= 1
        }

        var reply: CommandReply?
        if let command = inputs.command {
            let stale = staleness(of: command, withdrawn: inputs.commandWithdrawn, now: now)
            reply = stale.isEmpty ? handle(command, now: now, events: &events) : discard(command, stale, now: now, events: &events)
            if acknowledged != .none {
                if reply?.accepted == true {
                    // The reset's event says what it acknowledged, with the reset's source.
                    events.markLastAcknowledged(acknowledged)
                } else {
                    // A refused reset changes nothing: the fault is latched again, as if never acknowledged.
                    contactor.relatch(acknowledged)
                    activeCauses.insert(.outputFault)
                    if state.isLatched { state = Self.latchedState(for: activeCauses) }
                }
            }
        }

        if state != entered {
            since = now
            events.append(SafetyEvent(kind: .stateChange, at: now, from: entered, to: state))
        }
        let decided = outputs
        contactor.drive(decided.motionEnable, now: now)
        return SafetyStep(outputs: decided, events: events, reply: reply)
    }

    /// Latches a restart must not forget (read from the event log before the first cycle): a two-channel
    /// discrepancy, a contactor-feedback fault.
    public mutating func restore(discrepancyLatched: Bool, contactorFault: ContactorMonitor.Fault) {
        if discrepancyLatched { discrepancy.restoreLatched() }
        contactor.restore(contactorFault)
    }

    /// Why a reset would be refused now; empty when it would be accepted.
    public func resetRefusal(now: UInt64) -> CommandRefusal {
        var reasons: CommandRefusal.Reasons = []
        if state != .latched { reasons.insert(.stateNotLatched) }
        var remaining: UInt64 = timings.resetReleaseNs
        if let releasedSince {
            let released = now >= releasedSince ? now - releasedSince : 0
            remaining = released >= timings.resetReleaseNs ? 0 : timings.resetReleaseNs - released
        }
        if remaining > 0 { reasons.insert(.releaseTooShort) }
        if !requiredModulesHealthy { reasons.insert(.moduleUnhealthy) }
        if !drivesStopped { reasons.insert(.driveStopUnconfirmed) }
        if feedbackConfigured && contactor.reading != .droppedOut { reasons.insert(.contactorNotDroppedOut) }
        return CommandRefusal(
            reasons: reasons, activeCauses: activeCauses, state: state, releaseRemainingNs: remaining, feedbackFault: feedbackFault)
    }

    /// Why a move would be refused now; empty when it would be accepted.
    public func motionRefusal() -> CommandRefusal {
        var reasons: CommandRefusal.Reasons = []
        if !state.permitsMotion { reasons.insert(.stateNotReady) }
        if !drivesStopped { reasons.insert(.driveStopUnconfirmed) }
        return CommandRefusal(reasons: reasons, activeCauses: activeCauses, state: state, feedbackFault: feedbackFault)
    }

    /// The contactor mismatch behind an active `output_fault`, `.none` when there is none.
    public var feedbackFault: ContactorMonitor.Fault {
        feedbackConfigured && activeCauses.contains(.outputFault) ? contactor.fault : .none
    }

    private mutating func observe(_ inputs: SafetyInputs, estop: EStopSample, now: UInt64) -> TripCauses {
        var active = inputs.busCauses.intersection(.busReported)
        switch estop.level {
        case .pressed:
            active.insert(.estop)
            releasedSince = nil
        case .unreadable:
            active.insert(.inputFault)
            releasedSince = nil
        case .released:
            if estop.pressEdge {
                active.insert(.estop)
                releasedSince = now
            } else if releasedSince == nil {
                releasedSince = now
            }
        }
        if inputs.outputFault { active.insert(.outputFault) }
        if let second = inputs.estopSecond {
            discrepancy.observe(first: inputs.estop, second: second, now: now)
            if discrepancy.latched { active.insert(.estopDiscrepancy) }
        }
        feedbackConfigured = inputs.feedback != nil
        if let feedback = inputs.feedback {
            contactor.observe(feedback, now: now)
            if contactor.fault != .none { active.insert(.outputFault) }
        }
        if inputs.stalled { active.insert(.stall) }
        if inputs.shutdownRequested { active.insert(.shutdown) }
        requiredModulesHealthy = inputs.requiredModulesHealthy
        drivesStoppedReported = inputs.drivesStopped
        drivesStoppedGeneration = inputs.drivesStoppedGeneration
        return active
    }

    /// Why a command must not be judged at all: its sender already gave up, or the vehicle tripped (a
    /// move: or was stopped) after it was sent. Empty for a command that is still what its sender meant.
    private func staleness(of command: SafetyCommand, withdrawn: Bool, now: UInt64) -> CommandRefusal.Reasons {
        var reasons: CommandRefusal.Reasons = []
        let age = now > command.queuedAt ? now - command.queuedAt : 0
        if withdrawn || age > timings.commandWaitNs { reasons.insert(.commandExpired) }
        if command.tripGeneration != tripGeneration { reasons.insert(.issuedBeforeTrip) }
        if case .move = command.kind, command.stopRequests != stopRequestsSeen { reasons.insert(.issuedBeforeStop) }
        return reasons
    }

    /// A stale command changes nothing; it is still an event, so the log shows every attempt. Its refusal
    /// also carries every reason it would have been refused for now, so the answer says all of it.
    private func discard(
        _ command: SafetyCommand, _ stale: CommandRefusal.Reasons, now: UInt64, events: inout SafetyEvents
    ) -> CommandReply {
        var refusal = command.kind == .reset ? resetRefusal(now: now) : motionRefusal()
        refusal.reasons.formUnion(stale)
        let kind: SafetyEvent.Kind = command.kind == .reset ? .resetRefused : .commandDiscarded
        events.append(
            SafetyEvent(
                kind: kind, at: now, from: state, to: state, causes: refusal.activeCauses, refusal: refusal.reasons, commandID: command.id))
        return CommandReply(id: command.id, accepted: false, refusal: refusal, state: state)
    }

    private mutating func handle(_ command: SafetyCommand, now: UInt64, events: inout SafetyEvents) -> CommandReply {
        switch command.kind {
        case .reset:
            let refusal = resetRefusal(now: now)
            if refusal.isEmpty {
                events.append(SafetyEvent(kind: .resetAccepted, at: now, from: state, to: .ready, commandID: command.id))
                state = .ready
            } else {
                events.append(
                    SafetyEvent(
                        kind: .resetRefused, at: now, from: state, to: state, causes: refusal.activeCauses,
                        refusal: refusal.reasons, commandID: command.id))
            }
            return CommandReply(id: command.id, accepted: refusal.isEmpty, refusal: refusal, state: state)
        case .move(let request):
            let refusal = motionRefusal()
            if refusal.isEmpty {
                motion = request
                leaseDeadline = now + timings.motionLeaseNs
                state = .moving
            }
            return CommandReply(id: command.id, accepted: refusal.isEmpty, refusal: refusal, state: state)
        }
    }

    private static func latchedState(for active: TripCauses) -> SafetyState {
        if !active.isDisjoint(with: TripCauses.estopLine) { return .estop }
        return active.isEmpty ? .latched : .fault
    }
}
