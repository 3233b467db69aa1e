import OHT50Core
import Synchronization

/// The last few seconds of safety-loop samples, kept off the RT thread for trip recordings.
final class SampleWindow: Sendable {
    private let samples = Mutex<[LoopSample]>([])
    /// Comfortably more than the recording window at a 1 ms cycle.
    private static let capacity = 4_000

    func append(from ring: SPSCRing<LoopSample>) {
        samples.withLock { samples in
            while let sample = ring.pop() { samples.append(sample) }
            if samples.count > Self.capacity { samples.removeFirst(samples.count - Self.capacity) }
        }
    }

    /// Samples in (end - window, end].
    func samples(before end: UInt64, window: UInt64) -> [LoopSample] {
        samples.withLock { samples in
            samples.filter { $0.at <= end && $0.at + window > end }
        }
    }
}
