/// `safety.*`: the safety loop's timing.
public struct SafetySettings: Sendable, Equatable {
    public var cycleMs = 1
    public var resetReleaseMs = 1_000
    public var maxStallMs = 50
    public var motionLeaseMs = 300

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> SafetySettings {
        var s = SafetySettings()
        s.cycleMs = try m.int("cycle_ms", default: s.cycleMs, range: 1...100, unit: " ms")
        s.resetReleaseMs = try m.int("reset_release_ms", default: s.resetReleaseMs, range: 0...60_000, unit: " ms")
        let stallMinimum = 2 * s.cycleMs
        s.maxStallMs = try m.int(
            "max_stall_ms", default: max(s.maxStallMs, stallMinimum), range: stallMinimum...10_000,
            unit: " ms (at least 2 × safety.cycle_ms)")
        let leaseMinimum = 2 * s.cycleMs
        s.motionLeaseMs = try m.int("motion_lease_ms", default: s.motionLeaseMs, range: max(20, leaseMinimum)...10_000, unit: " ms")
        try m.rejectUnknownKeys()
        return s
    }
}
