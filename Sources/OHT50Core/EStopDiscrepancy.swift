/// The two channels of a two-channel E-stop judged together, as a safety relay does: channels that
/// disagree for longer than the discrepancy time are a wiring or contact fault (`estop_discrepancy`),
/// latched until both have been seen open at once and then closed together — the second closing within
/// the window of the first. Pure: the safety machine steps it once per cycle.
public struct EStopDiscrepancy: Sendable, BitwiseCopyable, Equatable {
    public let windowNs: UInt64
    /// Since when the channels disagree; `nil` while they agree.
    public private(set) var disagreeingSince: UInt64?
    /// The fault is latched.
    public private(set) var latched = false
    /// While latched: both channels were seen open together; both closing together now clears it.
    public private(set) var bothOpenSeen = false

    public init(windowNs: UInt64) { self.windowNs = windowNs }

    /// A channel counts as open when it reads pressed or a press edge was seen since the last cycle.
    public static func isOpen(_ sample: EStopSample) -> Bool { sample.level == .pressed || sample.pressEdge }

    /// One cycle's two samples. An unreadable channel is `input_fault` already: it neither starts nor
    /// ends a disagreement.
    public mutating func observe(first: EStopSample, second: EStopSample, now: UInt64) {
        guard first.level != .unreadable, second.level != .unreadable else { return }
        let a = Self.isOpen(first)
        let b = Self.isOpen(second)
        if a != b {
            let since = disagreeingSince ?? now
            disagreeingSince = since
            if now - since > windowNs {
                latched = true
                bothOpenSeen = false
            }
            return
        }
        disagreeingSince = nil
        guard latched else { return }
        if a {
            bothOpenSeen = true
        } else if bothOpenSeen {
            latched = false
            bothOpenSeen = false
        }
    }
}
