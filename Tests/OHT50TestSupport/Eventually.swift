import Foundation

/// Waits for a condition with a deadline instead of a fixed sleep: polls until it holds, and returns
/// false if it never did within `timeout`.
public func eventually(timeout: Duration = .seconds(10), poll: Duration = .milliseconds(5), _ condition: () throws -> Bool)
    rethrows -> Bool
{
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        Thread.sleep(forTimeInterval: Double(poll.components.attoseconds) / 1e18 + Double(poll.components.seconds))
    }
}

/// The async form, for conditions that need `await`.
public func eventually(timeout: Duration = .seconds(10), poll: Duration = .milliseconds(5), _ condition: () async throws -> Bool)
    async rethrows -> Bool
{
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: poll)
    }
}
