import OHT50Core
import Testing

@Suite("E-stop press edge from kernel edge events")
struct EStopSampleTests {
    @Test(
        "a pulse the kernel typed as release edges (or coalesced into one) between two released readings is a press; a real release is not")
    func pressEdgeWhateverTheEventType() {
        // The press event itself, typed right.
        #expect(EStopSample.pressEdgeAt(pressEventAt: 5, anyEventAt: 5, releasedBefore: true, releasedNow: true) == 5)
        #expect(EStopSample.pressEdgeAt(pressEventAt: 7, anyEventAt: 6, releasedBefore: true, releasedNow: false) == 7)
        // A sub-cycle press whose events both came as "release": released before and now, so a press.
        #expect(EStopSample.pressEdgeAt(pressEventAt: 0, anyEventAt: 9, releasedBefore: true, releasedNow: true) == 9)
        // Pressed at the previous cycle, released now: the release, not a press.
        #expect(EStopSample.pressEdgeAt(pressEventAt: 0, anyEventAt: 9, releasedBefore: false, releasedNow: true) == 0)
        // No event at all.
        #expect(EStopSample.pressEdgeAt(pressEventAt: 0, anyEventAt: 0, releasedBefore: true, releasedNow: true) == 0)
    }
}
