/// Fixed buckets for wake-up latency: 1 µs wide below 100 µs, 10 µs below 1 ms, 100 µs below 10 ms,
/// and one overflow bucket. Fine where a healthy loop lives, coarse where only "how bad" matters.
public enum LatencyBuckets {
    public static let count = 281

    @inline(__always)
    public static func index(nanoseconds: UInt64) -> Int {
        let us = nanoseconds / 1_000
        if us < 100 { return Int(us) }
        if us < 1_000 { return 100 + Int((us - 100) / 10) }
        if us < 10_000 { return 190 + Int((us - 1_000) / 100) }
        return count - 1
    }

    /// The upper edge of a bucket in microseconds; the overflow bucket reports 10 ms.
    public static func upperBoundMicroseconds(_ index: Int) -> UInt64 {
        if index < 100 { return UInt64(index + 1) }
        if index < 190 { return 100 + UInt64(index - 100 + 1) * 10 }
        if index < 280 { return 1_000 + UInt64(index - 190 + 1) * 100 }
        return 10_000
    }

    /// The `fraction` percentile (0...1) of a histogram, as its bucket's upper edge in µs: a bound,
    /// never an underestimate. `nil` when the histogram is empty.
    public static func percentile(_ fraction: Double, counts: [UInt64]) -> UInt64? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for (index, n) in counts.enumerated() {
            seen += n
            if seen >= rank { return upperBoundMicroseconds(index) }
        }
        return upperBoundMicroseconds(counts.count - 1)
    }
}
