import Foundation
import OHT50Core
import OHT50Store

/// The trip recordings as `GET /api/v1/trips/{id}` and `oht50d events` read them back, from a database
/// file the daemon no longer controls (a disk error, a copy from another version, a hand edit). First
/// byte even: the rest is the whole firmware.db. Odd: a real recording's columns are replaced by the
/// rest, cut at 0xFF bytes (samples, bus, causes, time). The reader answers trips or a StoreError,
/// never a crash; with a sound file and damaged columns, the trip is still there.
let template: String = {
    let dir = NSTemporaryDirectory() + "oht50-fuzz-trips-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let store = try! EventStore(dataDir: dir)
    let trip = SafetyEvent(kind: .trip, at: 5_000_000_000, from: .ready, to: .fault, causes: [.estop])
    let samples = (0..<20).map {
        LoopSample(
            at: 4_990_000_000 + UInt64($0) * 1_000_000, state: .ready, estopRaw: 1, motionEnable: true,
            driveSpeedPercent: 10, wakeupLatencyUs: 12, causes: [])
    }
    try! store.append(TripRecording(trip: trip, wallTime: "2026-11-24T21:00:00.000Z", samples: samples, bus: ["power@2 age_ms=3"]))
    return dir
}()
let work = NSTemporaryDirectory() + "oht50-fuzz-trips-work-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTripReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else { return 0 }
    let file = work + "/" + EventStore.fileName
    try? FileManager.default.removeItem(atPath: work)
    try! FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    if mode % 2 == 0 {
        FileManager.default.createFile(atPath: file, contents: Data(bytes.dropFirst()))
    } else {
        try! FileManager.default.copyItem(atPath: template + "/" + EventStore.fileName, toPath: file)
        let parts = bytes.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let columns = ["samples", "bus", "causes", "time"].prefix(parts.count)
        let db = try! SQLiteDatabase(path: file)
        let update = try! db.prepare("UPDATE trips SET " + columns.map { "\($0) = ?" }.joined(separator: ", "))
        for (index, part) in parts.prefix(columns.count).enumerated() { update.bind(Int32(index + 1), part) }
        _ = try! update.step()
    }
    do {
        let listed = try EventStore.trips(dataDir: work)
        for trip in listed {
            let one = try EventStore.trips(dataDir: work, id: trip.id)
            precondition(one.count == 1 && one[0].id == trip.id, "trip \(trip.id) is listed but cannot be read")
        }
        // A sound file with damaged columns still lists its one trip: nothing already saved is lost.
        precondition(mode % 2 == 0 || listed.count == 1, "the trip with damaged columns is not listed")
        _ = try EventStore.read(dataDir: work, after: 0, limit: 100)
    } catch {
        precondition(mode % 2 == 0, "a sound database could not be read: \(error)")
    }
    return 0
}
