import OHT50IO
import Synchronization

/// At most one log line per window for a line that a client can cause at will (a wrong token): the
/// first of each window is logged with how many were left out since the last one, the rest only counted
/// (their requests are in `oht50_http_requests_total`). A flood of them cannot push journald's rate
/// limit over the lines that matter, a trip's.
final class LogThrottle: Sendable {
    private let windowNanoseconds: UInt64
    private let state = Mutex<(windowStart: UInt64?, leftOut: Int)>((nil, 0))

    init(window: Duration) {
        windowNanoseconds = UInt64(window.components.seconds) * 1_000_000_000 + UInt64(window.components.attoseconds / 1_000_000_000)
    }

    /// nil when this one is left out; else how many were left out before it.
    func admit(now: UInt64 = MonotonicClock.now()) -> Int? {
        state.withLock { state in
            if let start = state.windowStart, now &- start < windowNanoseconds {
                state.leftOut += 1
                return nil
            }
            let leftOut = state.leftOut
            state = (now, 0)
            return leftOut
        }
    }
}
