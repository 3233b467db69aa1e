/// The events of one step, stored inline: a step never allocates.
public struct SafetyEvents: Sendable, BitwiseCopyable {
    /// A step yields at most a trip, a command outcome, a lease expiry and a state change.
    public static let capacity = 4

    private var e0, e1, e2, e3: SafetyEvent
    public private(set) var count: Int

    public init() {
        let blank = SafetyEvent(kind: .stateChange, at: 0, from: .initializing, to: .initializing)
        (e0, e1, e2, e3) = (blank, blank, blank, blank)
        count = 0
    }

    mutating func append(_ event: SafetyEvent) {
        switch count {
        case 0: e0 = event
        case 1: e1 = event
        case 2: e2 = event
        default:
            precondition(count == 3, "a safety step produced more events than it can hold")
            e3 = event
        }
        count += 1
    }

    /// The last event gains the contactor fault its reset acknowledged.
    mutating func markLastAcknowledged(_ fault: ContactorMonitor.Fault) {
        switch count {
        case 1: e0.acknowledgedFeedback = fault
        case 2: e1.acknowledgedFeedback = fault
        case 3: e2.acknowledgedFeedback = fault
        case 4: e3.acknowledgedFeedback = fault
        default: break
        }
    }

    public subscript(index: Int) -> SafetyEvent {
        precondition(index < count)
        switch index {
        case 0: return e0
        case 1: return e1
        case 2: return e2
        default: return e3
        }
    }

    /// The events as an array, for tests and non-RT code.
    public var all: [SafetyEvent] { (0..<count).map { self[$0] } }
}
