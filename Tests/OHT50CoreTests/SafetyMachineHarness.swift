@testable import OHT50Core

/// Property checks are CPU-bound and run for tens of seconds under a sanitizer. Run on the cooperative pool
/// without a suspension point, one of them holds a pool thread for its whole run; on two cores, with the
/// serialized end-to-end suite blocking the other while it waits for its processes, every async test is
/// then frozen — long enough for the in-process HTTP server to close its tests' idle connections (the
/// CI failure "I/O on closed channel" at 77 s). Each generated case yields first, so the others run between.
func yieldBetweenCases() async { await Task.yield() }

/// Steps a machine one 1 ms cycle at a time, collecting events, so tests read as sequences of inputs.
struct SafetyMachineHarness {
    static let timings = SafetyTimings(
        cycleNs: 1_000_000, resetReleaseNs: 100_000_000, maxStallNs: 50_000_000, motionLeaseNs: 300_000_000, bootCycles: 10)

    var machine: SafetyMachine
    var now: UInt64 = 1_000_000_000
    var events: [SafetyEvent] = []
    var lastStep: SafetyStep?
    /// Stop requests so far, as `MotionStopSignal` would count them.
    var stops: UInt32 = 0
    /// The bus thread confirms every stop at once, for the current trip generation.
    var busConfirmsStops = true

    static let released = SafetyInputs(estop: EStopSample(level: .released, raw: 1))
    static let pressed = SafetyInputs(estop: EStopSample(level: .pressed, raw: 0))

    init(timings: SafetyTimings = Self.timings) { machine = SafetyMachine(timings: timings, now: 1_000_000_000) }

    var state: SafetyState { machine.state }

    /// A command as a sender would queue it now: fresh, after the latest trip and stop.
    func command(_ kind: SafetyCommand.Kind, id: UInt32 = 7) -> SafetyCommand {
        SafetyCommand(id: id, kind: kind, queuedAt: now, tripGeneration: machine.tripGeneration, stopRequests: stops)
    }

    @discardableResult
    mutating func step(_ inputs: SafetyInputs = released, command: SafetyCommand.Kind? = nil, advanceMs: UInt64 = 1) -> SafetyStep {
        step(inputs, sending: command.map { self.command($0) }, advanceMs: advanceMs)
    }

    @discardableResult
    mutating func step(_ inputs: SafetyInputs = released, sending command: SafetyCommand?, withdrawn: Bool = false, advanceMs: UInt64 = 1)
        -> SafetyStep
    {
        now += advanceMs * 1_000_000
        var i = inputs
        i.command = command
        i.commandWithdrawn = withdrawn
        i.stopRequests = stops
        if busConfirmsStops { i.drivesStoppedGeneration = machine.tripGeneration }
        let s = machine.step(i, now: now)
        events += s.events.all
        lastStep = s
        return s
    }

    mutating func run(_ cycles: Int, _ inputs: SafetyInputs = released) {
        for _ in 0..<cycles { step(inputs) }
    }

    /// Booted with the E-stop released for longer than `reset_release_ms`: state latched, reset allowed.
    static func latched() -> SafetyMachineHarness {
        var h = SafetyMachineHarness()
        h.run(150)
        precondition(h.state == .latched)
        return h
    }

    static func ready() -> SafetyMachineHarness {
        var h = latched()
        h.step(command: .reset)
        precondition(h.state == .ready)
        return h
    }

    static func moving() -> SafetyMachineHarness {
        var h = ready()
        h.step(command: .move(MotionRequest(speedPercent: 40, direction: .forward)))
        precondition(h.state == .moving)
        return h
    }

    /// A machine in the named state and the inputs that keep it there.
    static func holding(_ state: String) -> (SafetyMachineHarness, SafetyInputs) {
        var inputs = released
        var h: SafetyMachineHarness
        switch state {
        case "init": h = SafetyMachineHarness()
        case "latched": h = latched()
        case "ready": h = ready()
        case "moving": h = moving()
        case "estop":
            h = latched()
            inputs = pressed
        case "fault":
            h = latched()
            inputs = with { $0.busCauses = .commLoss }
        default:
            h = latched()
            inputs = with { $0.shutdownRequested = true }
        }
        h.step(inputs)
        return (h, inputs)
    }

    static func with(_ mutate: (inout SafetyInputs) -> Void) -> SafetyInputs {
        var i = released
        mutate(&i)
        return i
    }
}
