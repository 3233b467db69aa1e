import Foundation
import Synchronization
import Testing

@testable import OHT50Core

@Suite("Snapshot cell")
struct SnapshotCellTests {
    struct Pair: BitwiseCopyable, Equatable {
        var a: UInt64
        var b: UInt64
        var c: UInt64
    }

    @Test("readers on another thread never see a torn value while the writer publishes continuously")
    func noTornReads() {
        let cell = SnapshotCell(Pair(a: 0, b: 0, c: ~0))
        let stop = Atomic<Bool>(false)
        let writer = Thread {
            var i: UInt64 = 0
            while !stop.load(ordering: .relaxed) {
                i += 1
                cell.publish(Pair(a: i, b: i &* 3, c: ~i))
            }
        }
        writer.start()
        while cell.version == 0 {}
        var torn = 0
        var lastSeen: UInt64 = 0
        var wentBack = false
        for _ in 0..<500_000 {
            let p = cell.read()
            if p.b != p.a &* 3 || p.c != ~p.a { torn += 1 }
            if p.a < lastSeen { wentBack = true }
            lastSeen = p.a
        }
        stop.store(true, ordering: .relaxed)
        #expect(torn == 0)
        #expect(!wentBack)
        #expect(lastSeen > 0)
    }
}
