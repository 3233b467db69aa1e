import Foundation
import Synchronization
import Testing

@testable import OHT50Core

@Suite("SPSC ring")
struct SPSCRingTests {
    @Test("two real threads pass millions of items with no loss and no reordering")
    func twoThreadsNoLossNoReordering() async {
        let ring = SPSCRing<UInt64>(capacity: 1_024)
        let total: UInt64 = 3_000_000
        let producer = Thread {
            var next: UInt64 = 0
            while next < total {
                if ring.push(next) { next += 1 }
            }
        }
        producer.start()
        var expected: UInt64 = 0
        var outOfOrder = 0
        while expected < total {
            if let value = ring.pop() {
                if value != expected { outOfOrder += 1 }
                expected = value + 1
            }
        }
        #expect(outOfOrder == 0)
        #expect(expected == total)
        #expect(ring.pop() == nil)
    }

    @Test("a full ring drops the new element, counts it, and keeps the old ones")
    func fullRingDropsAndCounts() {
        let ring = SPSCRing<Int>(capacity: 8)
        for i in 0..<8 { #expect(ring.push(i)) }
        #expect(!ring.push(99))
        #expect(!ring.push(100))
        #expect(ring.dropped == 2)
        #expect((0..<8).map { _ in ring.pop() } == (0..<8).map { $0 })
        #expect(ring.pop() == nil)
        #expect(ring.push(5))
        #expect(ring.pop() == 5)
    }

    @Test("under a slow consumer the producer never waits: every item is either delivered or counted as dropped")
    func slowConsumerDropsAreCounted() {
        let ring = SPSCRing<UInt32>(capacity: 16)
        let total: UInt32 = 200_000
        let done = Atomic<Bool>(false)
        let producer = Thread {
            for i in 0..<total { ring.push(i) }
            done.store(true, ordering: .releasing)
        }
        producer.start()
        var received = 0
        var last: Int64 = -1
        var increasing = true
        while !done.load(ordering: .acquiring) || ring.count > 0 {
            if let v = ring.pop() {
                received += 1
                if Int64(v) <= last { increasing = false }
                last = Int64(v)
            }
        }
        #expect(increasing)
        #expect(UInt64(received) + ring.dropped == UInt64(total))
    }
}
