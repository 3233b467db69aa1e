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
        /// With two channels: each one, and the discrepancy check.
        var channels: [Channel]?
        var discrepancy: Discrepancy?
    }

    struct Channel: Encodable, Sendable {
        var channel: Int
        var pressed: Bool
        var raw: Int?
        var inputFault: Bool
        var input: String

        init(_ sample: EStopSample, number: Int, input: String) {
            channel = number
            pressed = sample.level == .pressed
            raw = sample.raw < 0 ? nil : Int(sample.raw)
            inputFault = sample.level == .unreadable
            self.input = input
        }
    }

    struct Discrepancy: Encodable, Sendable {
        /// `estop_discrepancy` is latched: both channels must open, then close together.
        var latched: Bool
        var discrepancyMs: Int
        /// How long the channels have disagreed, 0 while they agree.
        var disagreeingMs: UInt64
        /// While latched: both were seen open; closing both together now clears it.
        var bothOpenSeen: Bool
        /// The channel that did not open on the press that latched the fault (1 or 2); nil when the
        /// fault is none or came from disagreeing longer than discrepancy_ms.
        var neverOpened: Int?
    }

    /// The motion-enable relay's feedback contact, when one is configured.
    struct Contactor: Encodable, Sendable {
        /// dropped_out, pulled_in or unreadable.
        var reads: String
        var raw: Int?
        /// What the output makes it should read once pull_in_ms / drop_out_ms have passed.
        var expected: String
        /// none, not_dropped_out (welded), not_pulled_in, unreadable.
        var fault: String
        var input: String
        var pullInMs: Int
        var dropOutMs: Int
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
    var contactor: Contactor?
    /// Only in the answer to a reset: whether the reset's event reached the event store before it.
    var eventStored: Bool?

    enum CodingKeys: CodingKey {
        case state, estop, latched, causes, since, motionPermitted, motionEnableOutput, resetAllowed, resetBlockedBy, lastTrip, inStateMs,
            eventStored, contactor
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
        try c.encodeIfPresent(contactor, forKey: .contactor)
        try c.encodeIfPresent(eventStored, forKey: .eventStored)
    }

    /// What the safety loop's newest snapshot says.
    init(_ loop: SafetyLoopView) {
        self.init(
            loop.snapshot, inputDescription: loop.inputDescription, secondInputDescription: loop.secondInputDescription,
            feedbackDescription: loop.feedbackDescription)
    }

    init(_ snapshot: SafetySnapshot, inputDescription: String, secondInputDescription: String? = nil, feedbackDescription: String? = nil) {
        let machine = snapshot.machine
        let refusal = machine.resetRefusal(now: snapshot.at)
        state = machine.state.name
        let both = snapshot.estopBoth
        estop = EStop(
            pressed: both.level == .pressed, raw: snapshot.estop.raw < 0 ? nil : Int(snapshot.estop.raw),
            inputFault: both.level == .unreadable, input: inputDescription)
        if let second = snapshot.estopSecond {
            estop.channels = [
                Channel(snapshot.estop, number: 1, input: inputDescription),
                Channel(second, number: 2, input: secondInputDescription ?? ""),
            ]
            let d = machine.discrepancy
            let disagreeing = d.disagreeingSince.map { snapshot.at >= $0 ? (snapshot.at - $0) / 1_000_000 : 0 } ?? 0
            estop.discrepancy = Discrepancy(
                latched: d.latched, discrepancyMs: Int(d.windowNs / 1_000_000), disagreeingMs: disagreeing, bothOpenSeen: d.bothOpenSeen,
                neverOpened: d.neverOpened == 0 ? nil : Int(d.neverOpened))
        }
        if let feedback = snapshot.feedback {
            let monitor = machine.contactor
            contactor = Contactor(
                reads: ContactorMonitor.Reading(feedback).name, raw: feedback.raw < 0 ? nil : Int(feedback.raw),
                expected: monitor.commanded ? "pulled_in" : "dropped_out", fault: monitor.fault.name, input: feedbackDescription ?? "",
                pullInMs: Int(monitor.pullInNs / 1_000_000), dropOutMs: Int(monitor.dropOutNs / 1_000_000))
        }
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
