import Testing

@testable import OHT50Core

/// The async side waits on these instead of polling: a wait must end at a change, at its deadline or at
/// cancellation — and never miss a change that came between the look and the wait.
@Suite("Change signal", .timeLimit(.minutes(1)))
struct ChangeSignalTests {
    @Test("a change after the generation read ends the wait at once; a waiter is woken by notifyAll")
    func changes() async {
        let signal = ChangeSignal()
        let seen = signal.generation
        signal.notifyAll()
        // Came between the look and the wait: not missed, even with a far deadline.
        await signal.wait(since: seen, until: .now.advanced(by: .seconds(3_600)))

        let current = signal.generation
        async let waited: Void = signal.wait(since: current, until: .now.advanced(by: .seconds(3_600)))
        while signal.generation == current {
            signal.notifyAll()
            await Task.yield()
        }
        await waited
    }

    @Test("without a change the wait ends at its deadline")
    func deadline() async {
        let signal = ChangeSignal()
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(20))
        await signal.wait(since: signal.generation, until: deadline)
        #expect(ContinuousClock.now >= deadline)
    }

    @Test("cancelling the waiting task ends the wait, before or after the waiter is registered")
    func cancellation() async {
        let signal = ChangeSignal()
        let far = ContinuousClock.now.advanced(by: .seconds(3_600))
        for _ in 0..<50 {
            let task = Task { await signal.wait(since: signal.generation, until: far) }
            task.cancel()
            await task.value
        }
        let late = Task { await signal.wait(since: signal.generation, until: far) }
        await Task.yield()
        late.cancel()
        await late.value
    }
}
