import Testing

@testable import OHT50Core

@Suite("Latency buckets")
struct LatencyBucketsTests {
    @Test(
        "bucket edges: 1 µs to 100 µs, 10 µs to 1 ms, 100 µs to 10 ms, then overflow",
        arguments: [
            (UInt64(0), 0), (999, 0), (1_000, 1), (99_999, 99), (100_000, 100), (109_999, 100), (999_999, 189),
            (1_000_000, 190), (9_999_999, 279), (10_000_000, 280), (5_000_000_000, 280),
        ])
    func bucketIndex(ns: UInt64, index: Int) {
        #expect(LatencyBuckets.index(nanoseconds: ns) == index)
        #expect(LatencyBuckets.upperBoundMicroseconds(index) * 1_000 > ns || index == LatencyBuckets.count - 1)
    }

    @Test("percentiles report the bucket's upper edge, never less than the true value")
    func percentiles() {
        var counts = [UInt64](repeating: 0, count: LatencyBuckets.count)
        for us in 1...100 { counts[LatencyBuckets.index(nanoseconds: UInt64(us) * 1_000 - 1)] += 1 }
        #expect(LatencyBuckets.percentile(0.5, counts: counts) == 50)
        #expect(LatencyBuckets.percentile(0.99, counts: counts) == 99)
        #expect(LatencyBuckets.percentile(1.0, counts: counts) == 100)
        #expect(LatencyBuckets.percentile(0.5, counts: [UInt64](repeating: 0, count: LatencyBuckets.count)) == nil)
    }
}
