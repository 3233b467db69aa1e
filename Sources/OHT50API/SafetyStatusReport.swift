import OHT50Core
import OHT50Runtime

/// `GET /api/v1/safety/status`: what the vehicle's safety chain is doing and, when it refuses a reset,
/// every reason.
struct SafetyStatusReport: Encodable, Sendable {
    struct EStop: Encodable, Sendable {
        var pressed: Bool
        /// The raw line value (before active-low inversion); null when unreadable.
        var raw: Int?
        var inputFault: Bool
        var input: String
    }

    struct Trip: Encodable, Sendable {
        var causes: [String]
        var at: String
        var from: String
    }

    var state: String
    var estop: EStop
    var latched: Bool
    var motionPermitted: Bool
    var motionEnableOutput: Bool
    var causes: [String]
    var resetAllowed: Bool
    var resetBlockedBy: [RefusalText.Reason]
    var lastTrip: Trip?
    var since: String
    var inStateMs: UInt64
    /// Only in the answer to a reset: whether the reset's event reached the event store before it.
    var eventStored: Bool?

    enum CodingKeys: CodingKey {
        case state, estop, latched, causes, since, motionPermitted, motionEnableOutput, resetAllowed, resetBlockedBy, lastTrip, inStateMs,
            eventStored
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(estop, forKey: .estop)
        try c.encode(latched, forKey: .latched)
        try c.encode(motionPermitted, forKey: .motionPermitted)
        try c.encode(motionEnableOutput, forKey: .motionEnableOutput)
        try c.encode(causes, forKey: .causes)
        try c.encode(resetAllowed, forKey: .resetAllowed)
        try c.encode(resetBlockedBy, forKey: .resetBlockedBy)
        try c.encode(lastTrip, forKey: .lastTrip)
        try c.encode(since, forKey: .since)
        try c.encode(inStateMs, forKey: .inStateMs)
        try c.encodeIfPresent(eventStored, forKey: .eventStored)
    }

    /// What the safety loop's newest snapshot says.
    init(_ loop: SafetyLoopView) { self.init(loop.snapshot, inputDescription: loop.inputDescription) }

    init(_ snapshot: SafetySnapshot, inputDescription: String) {
        let machine = snapshot.machine
        let refusal = machine.resetRefusal(now: snapshot.at)
        state = machine.state.name
        estop = EStop(
            pressed: snapshot.estop.level == .pressed, raw: snapshot.estop.raw < 0 ? nil : Int(snapshot.estop.raw),
            inputFault: snapshot.estop.level == .unreadable, input: inputDescription)
        latched = machine.state.isLatched
        motionPermitted = machine.state.permitsMotion
        motionEnableOutput = snapshot.outputs.motionEnable
        causes = machine.activeCauses.names
        resetAllowed = refusal.isEmpty
        resetBlockedBy = RefusalText.reasons(refusal, resetReleaseMs: Int(machine.timings.resetReleaseNs / 1_000_000))
        lastTrip = machine.lastTrip.map {
            Trip(causes: $0.causes.names, at: WallTime.iso8601(monotonic: $0.at), from: $0.from.name)
        }
        since = WallTime.iso8601(monotonic: machine.since)
        inStateMs = snapshot.at >= machine.since ? (snapshot.at - machine.since) / 1_000_000 : 0
    }
}
