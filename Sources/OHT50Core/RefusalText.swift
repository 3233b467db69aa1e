/// How refusals are told to people and programs: a stable code and a sentence saying what to do.
public enum RefusalText {
    public struct Reason: Sendable, Equatable, Codable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// Every reason of a refusal, causes first (they say what to fix), then the rule the state breaks.
    public static func reasons(_ refusal: CommandRefusal, resetReleaseMs: Int) -> [Reason] {
        var out = refusal.activeCauses.names.map { name in
            name == "output_fault" && refusal.feedbackFault != .none ? feedback(refusal.feedbackFault) : cause(named: name)
        }
        if refusal.reasons.contains(.stateNotLatched) {
            out.append(
                Reason(code: "state_not_latched", message: "a reset is accepted only in state latched; the state is \(refusal.state.name)"))
        }
        if refusal.reasons.contains(.stateNotReady) {
            let hint = refusal.state.isLatched ? " (reset first)" : ""
            out.append(
                Reason(code: "state_not_ready", message: "motion needs state ready or moving\(hint); the state is \(refusal.state.name)"))
        }
        if refusal.reasons.contains(.releaseTooShort) {
            let remaining = (refusal.releaseRemainingNs + 999_999) / 1_000_000
            out.append(
                Reason(
                    code: "estop_release_too_short",
                    message: "the E-stop must read released for \(resetReleaseMs) ms before a reset; \(remaining) ms to go"))
        }
        if refusal.reasons.contains(.moduleUnhealthy) {
            out.append(Reason(code: "module_unhealthy", message: "a required bus module is not answering or not healthy"))
        }
        if refusal.reasons.contains(.driveStopUnconfirmed) {
            out.append(
                Reason(
                    code: "drive_stop_unconfirmed",
                    message:
                        "a drive has not read back its last stop (enable 0, speed 0) or has not reached standstill (actual speed 0) yet, "
                        + "and may still be turning: check its wiring and GET /api/v1/modules"
                ))
        }
        if refusal.reasons.contains(.contactorNotDroppedOut) {
            out.append(
                Reason(
                    code: "contactor_not_dropped_out",
                    message:
                        "the motion-enable relay's feedback (outputs.motion_enable.feedback) does not show it dropped out: wait for it, "
                        + "or check the relay for a welded contact"))
        }
        if refusal.reasons.contains(.commandExpired) {
            out.append(
                Reason(
                    code: "command_expired",
                    message: "the command waited longer than 100 ms for the safety thread and was answered 503; it was not carried out"))
        }
        if refusal.reasons.contains(.issuedBeforeTrip) {
            out.append(
                Reason(
                    code: "issued_before_trip",
                    message: "the vehicle tripped after this command was sent: read the safety status, then send it again if still wanted"))
        }
        if refusal.reasons.contains(.issuedBeforeStop) {
            out.append(Reason(code: "issued_before_stop", message: "a stop was requested after this move was sent: the stop wins"))
        }
        return out
    }

    /// Every code a refusal can carry, for metrics that must exist before the first refusal.
    public static var allCodes: [String] {
        let everything = CommandRefusal(
            reasons: CommandRefusal.Reasons(rawValue: .max), activeCauses: TripCauses(rawValue: .max), state: .latched,
            releaseRemainingNs: 1)
        return reasons(everything, resetReleaseMs: 0).map(\.code)
    }

    /// The codes alone, for log lines and events.
    public static func codes(_ reasons: CommandRefusal.Reasons, causes: TripCauses) -> [String] {
        let refusal = CommandRefusal(reasons: reasons, activeCauses: causes, state: .latched, releaseRemainingNs: 1)
        return Self.reasons(refusal, resetReleaseMs: 0).map(\.code)
    }

    /// `output_fault` when the contactor's feedback is the reason.
    static func feedback(_ fault: ContactorMonitor.Fault) -> Reason {
        let key = "outputs.motion_enable.feedback"
        let message =
            switch fault {
            case .notDroppedOut: "the motion-enable relay's feedback (\(key)) still shows it pulled in after drop_out_ms: a welded contact"
            case .notPulledIn:
                "the motion-enable relay's feedback (\(key)) did not show it pulled in within pull_in_ms: check the relay's coil and "
                    + "the feedback wire"
            default: "the motion-enable relay's feedback (\(key)) cannot be read: check the line and its wiring"
            }
        return Reason(
            code: "output_fault",
            message: message
                + "; the fault stays latched until a reset acknowledges it: oht50d reset --acknowledge contactor_feedback "
                + "(HTTP: body {\"acknowledge\":[\"contactor_feedback\"]})")
    }

    static func cause(named name: String) -> Reason {
        switch name {
        case "estop": Reason(code: "estop_pressed", message: "the E-stop is pressed: release it first")
        case "input_fault": Reason(code: "estop_input_fault", message: "the E-stop input cannot be read: check the line and its wiring")
        case "output_fault":
            Reason(
                code: "output_fault",
                message:
                    "an output line (motion-enable, heartbeat, LED) cannot be written, or read back other than written (driven from "
                    + "outside: check who else writes it, e.g. group gpio)")
        case "comm_loss": Reason(code: "comm_loss", message: "a required bus module does not answer")
        case "module_alarm": Reason(code: "module_alarm", message: "a bus module reports an alarm")
        case "stall": Reason(code: "stall", message: "the safety loop stalled")
        case "bus_thread_dead": Reason(code: "bus_thread_dead", message: "the bus thread stopped")
        case "estop_discrepancy":
            Reason(
                code: "estop_discrepancy",
                message:
                    "the two E-stop channels disagreed for longer than estop.discrepancy_ms, or a press ended without both opening "
                    + "(a wiring fault, or a contact stuck closed: see estop.discrepancy.never_opened): once fixed, press the E-stop and "
                    + "release it so both channels open, then close together")
        case "drive_watchdog":
            Reason(
                code: "drive_watchdog",
                message:
                    "a drive stopped itself: its host watchdog (modules[].host_watchdog_ms, register 0x0D) heard no control write in "
                    + "time; check the RS485 line and GET /api/v1/modules, then reset and move again")
        case "drive_not_stopped":
            Reason(
                code: "drive_not_stopped",
                message:
                    "a drive's actual speed (0x06/0x16) did not reach 0 within modules[].stop_within_ms of its stop: it may be coasting, "
                    + "its brake failed or it ignores its commands; GET /api/v1/modules names it (standstill_overdue)")
        case "drive_not_following":
            Reason(
                code: "drive_not_following",
                message:
                    "a drive commanded to move read an actual speed (0x06/0x16) of 0 for longer than modules[].stop_within_ms: a dead "
                    + "speed sensor, a stalled or unpowered motor; GET /api/v1/modules names it (not_following), and its stops count "
                    + "only after stop_within_ms until a move shows its speed again")
        default: Reason(code: "shutdown", message: "the daemon is shutting down")
        }
    }
}
