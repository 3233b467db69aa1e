/// The two channels of a two-channel E-stop judged together, as a safety relay does: channels that
/// disagree for longer than the discrepancy time are a wiring or contact fault (`estop_discrepancy`),
/// and so is a demand (a press: a channel opening) that ends — both channels closed again — without
/// every channel having opened, however short it was: a channel that never opens on a demand is stuck
/// closed, and would stay hidden until the demand that needs it. Latched until both have been seen
/// open at once and then closed together — the second closing within the window of the first. Pure:
/// the safety machine steps it once per cycle.
public struct EStopDiscrepancy: Sendable, BitwiseCopyable, Equatable {
    public let windowNs: UInt64
    /// Since when the channels disagree; `nil` while they agree.
    public private(set) var disagreeingSince: UInt64?
    /// The fault is latched.
    public private(set) var latched = false
    /// While latched: both channels were seen open together; both closing together now clears it.
    public private(set) var bothOpenSeen = false
    /// The channels seen open (bit 0 the first, bit 1 the second) since the current demand began; 0 while
    /// both are closed.
    public private(set) var openedOnDemand: UInt8 = 0
    /// Which channel did not open on the demand that latched the fault by ending (1 or 2); 0 when the
    /// fault is none or was latched by the window.
    public private(set) var neverOpened: UInt8 = 0

    public init(windowNs: UInt64) { self.windowNs = windowNs }

    /// A channel counts as open when it reads pressed or a press edge was seen since the last cycle.
    public static func isOpen(_ sample: EStopSample) -> Bool { sample.level == .pressed || sample.pressEdge }

    /// One cycle's two samples. An unreadable channel is `input_fault` already: it neither starts nor
    /// ends a disagreement, nor a demand.
    public mutating func observe(first: EStopSample, second: EStopSample, now: UInt64) {
        guard first.level != .unreadable, second.level != .unreadable else { return }
        let a = Self.isOpen(first)
        let b = Self.isOpen(second)
        openedOnDemand |= (a ? 1 : 0) | (b ? 2 : 0)
        if a != b {
            let since = disagreeingSince ?? now
            disagreeingSince = since
            if now - since > windowNs {
                latch(neverOpened: 0)
            }
            return
        }
        disagreeingSince = nil
        if !a && openedOnDemand != 0 {
            // The demand is over: every channel must have opened on it.
            if openedOnDemand != 3 { latch(neverOpened: openedOnDemand == 1 ? 2 : 1) }
            openedOnDemand = 0
        }
        guard latched else { return }
        if a {
            bothOpenSeen = true
        } else if bothOpenSeen {
            latched = false
            bothOpenSeen = false
            neverOpened = 0
        }
    }

    /// Latched as it was before a restart: both channels must open, then close together, again.
    public mutating func restoreLatched() { latch(neverOpened: 0) }

    private mutating func latch(neverOpened channel: UInt8) {
        if !latched || channel != 0 { neverOpened = channel }
        latched = true
        bothOpenSeen = false
    }
}
