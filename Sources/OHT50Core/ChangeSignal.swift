import Synchronization

/// "Something changed, look again", for tasks on the async side: a waiter sleeps until the next
/// `notifyAll()` or its deadline, never polling. Read `generation` before looking at the thing that
/// changes and pass it to `wait`: a change that lands between the look and the wait is not missed.
public final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextToken: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Bumped by every `notifyAll()`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Returns at once if a change came after `seen`, else at the next change, at `deadline`, or when the
    /// task is cancelled.
    public func wait(since seen: UInt64, until deadline: ContinuousClock.Instant) async {
        let token = state.withLock { s in
            s.nextToken &+= 1
            return s.nextToken
        }
        // Resumes this waiter at its deadline; a timer that fires before the waiter is registered finds
        // it registered later with the deadline passed, and it resumes itself.
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.resume(token)
        }
        defer { timer.cancel() }
        // A cancellation that comes before the waiter is registered is seen by the registration itself.
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.generation != seen || ContinuousClock.now >= deadline || Task.isCancelled { return true }
                    s.waiters[token] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            resume(token)
        }
    }

    /// Wakes every waiter.
    public func notifyAll() {
        let waiters = state.withLock { s in
            s.generation &+= 1
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func resume(_ token: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: token) }?.resume()
    }
}
