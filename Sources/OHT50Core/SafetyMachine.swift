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

    public init(timings: SafetyTimings, now: UInt64) {
        self.timings = timings
        self.since = now
    }

    public var outputs: SafetyOutputs {
        SafetyOutputs(motionEnable: state.permitsMotion, drive: state == .moving ? motion : nil)
    }

    /// Advances one cycle. Trips are handled before the cycle's command, so a command never
    /// outruns a trip seen in the same cycle.
    public mutating func step(_ inputs: SafetyInputs, now: UInt64) -> SafetyStep {
        var events = SafetyEvents()
        let entered = state
        let active = observe(inputs, now: now)
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
            healthyBootCycles = inputs.estop.level != .unreadable && inputs.busReady ? healthyBootCycles + 1 : 0
            if healthyBootCycles >= timings.bootCycles {
                state = Self.latchedState(for: active)
            }
        default:
            if !newlyActive.isEmpty {
                tripGeneration &+= 1
                lastTrip = TripRecord(causes: newlyActive, at: now, from: state)
                let to = Self.latchedState(for: active)
                var trip = SafetyEvent(kind: .trip, at: now, from: state, to: to, causes: newlyActive)
                if newlyActive.contains(.estop) { trip.estopEdgeAt = inputs.estop.edgeAt }
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
            if state == .moving { state = .ready }
        }

        if state == .moving && now >= leaseDeadline {
            events.append(SafetyEvent(kind: .leaseExpired, at: now, from: .moving, to: .ready))
            motion = nil
            state = .ready
        }

        var reply: CommandReply?
        if let command = inputs.command {
            let stale = staleness(of: command, withdrawn: inputs.commandWithdrawn, now: now)
            reply = stale.isEmpty ? handle(command, now: now, events: &events) : discard(command, stale, now: now, events: &events)
        }

        if state != entered {
            since = now
            events.append(SafetyEvent(kind: .stateChange, at: now, from: entered, to: state))
        }
        return SafetyStep(outputs: outputs, events: events, reply: reply)
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
        return CommandRefusal(reasons: reasons, activeCauses: activeCauses, state: state, releaseRemainingNs: remaining)
    }

    /// Why a move would be refused now; empty when it would be accepted.
    public func motionRefusal() -> CommandRefusal {
        var reasons: CommandRefusal.Reasons = []
        if !state.permitsMotion { reasons.insert(.stateNotReady) }
        if !drivesStopped { reasons.insert(.driveStopUnconfirmed) }
        return CommandRefusal(reasons: reasons, activeCauses: activeCauses, state: state)
    }

    private mutating func observe(_ inputs: SafetyInputs, now: UInt64) -> TripCauses {
        var active = inputs.busCauses.intersection(.busReported)
        switch inputs.estop.level {
        case .pressed:
            active.insert(.estop)
            releasedSince = nil
        case .unreadable:
            active.insert(.inputFault)
            releasedSince = nil
        case .released:
            if inputs.estop.pressEdge {
                active.insert(.estop)
                releasedSince = now
            } else if releasedSince == nil {
                releasedSince = now
            }
        }
        if inputs.outputFault { active.insert(.outputFault) }
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
