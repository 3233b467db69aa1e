import OHT50Core

/// The safety loop as HTTP, metrics and reports see it (DESIGN "Threads": the non-RT side): the newest
/// published snapshot, the counters, the liveness verdict and the one command channel. It cannot start,
/// stop or step the loop, and it does not reach its rings.
public struct SafetyLoopView: Sendable {
    private let loop: SafetyLoop

    init(_ loop: SafetyLoop) { self.loop = loop }

    public var timings: SafetyTimings { loop.timings }
    /// The state the safety thread published last.
    public var snapshot: SafetySnapshot { loop.snapshot.read() }
    public var statistics: LoopStatistics { loop.statistics }
    public var liveness: Liveness { loop.liveness }
    public var channel: CommandChannel { loop.channel }
    /// Notified whenever the safety thread produced something readers show (see `SafetyLoop.changes`).
    public var changes: ChangeSignal { loop.changes }
    /// What the E-stop input is, e.g. "gpiod gpiochip0 line 59 (active low)".
    public var inputDescription: String { loop.input.description }
    /// The second E-stop channel's input, with two channels.
    public var secondInputDescription: String? { loop.secondInput?.description }
    /// The contactor feedback's input, when one is configured.
    public var feedbackDescription: String? { loop.feedback?.description }
    /// Safety events lost because the events ring was full.
    public var droppedEvents: UInt64 { loop.events.dropped }
    /// Commands refused because the command ring was full.
    public var droppedCommands: UInt64 { loop.commands.dropped }
}

/// The bus thread as HTTP, metrics and reports see it: its settings, its modules' published readings and
/// counters, and the port's state. It cannot start or stop the thread.
public struct BusLoopView: Sendable {
    private let loop: BusLoop

    init(_ loop: BusLoop) { self.loop = loop }

    public var settings: BusSettings { loop.settings }
    public var modules: [BusModule] { loop.modules }
    public var isConnected: Bool { loop.isConnected }
    public var reconnects: UInt64 { loop.reconnects.load(ordering: .relaxed) }
    public var lateBytes: UInt64 { loop.lateBytes.load(ordering: .relaxed) }
}

extension BusLoop {
    public var view: BusLoopView { BusLoopView(self) }
}
