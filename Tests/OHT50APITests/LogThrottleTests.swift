import Testing

@testable import OHT50API

/// Issue 40, item 9: a client sending wrong tokens at will decided how many notices reached the journal.
@Suite("log throttle")
struct LogThrottleTests {
    @Test("one line per window, the next one saying how many were left out; a quiet window starts afresh")
    func onePerWindow() {
        let throttle = LogThrottle(window: .seconds(10))
        let second: UInt64 = 1_000_000_000
        #expect(throttle.admit(now: 100 * second) == 0)
        for i in 1...999 { #expect(throttle.admit(now: 100 * second + UInt64(i) * 9_000_000) == nil) }
        #expect(throttle.admit(now: 110 * second) == 999)
        #expect(throttle.admit(now: 125 * second) == 0)
    }
}
