import Foundation
import OHT50Core
import OHT50Store

/// The trip recordings as `GET /api/v1/trips/{id}` and `oht50d events` read them back, from a database
/// file the daemon no longer controls (a disk error, a copy from another version, a hand edit). First
/// byte even: the rest is the whole firmware.db. Odd: a real recording's columns are replaced by the
/// rest, cut at 0xFF bytes (samples, bus, causes, time). The reader answers trips or a StoreError,
/// never a crash; with a sound file and damaged columns, the trip is still there.
/// libFuzzer's -timeout arms a 1 s SIGALRM, so any file system call here can fail with EINTR (Foundation's
/// copyItem did, once in CI): the scratch files are written and read with calls that retry it.
func retrying(_ what: String, _ body: () -> Int) -> Int {
    while true {
        let result = body()
        if result >= 0 { return result }
        precondition(errno == EINTR, "\(what) failed: errno \(errno)")
    }
}

func put(_ bytes: [UInt8], at path: String) {
    let fd = Int32(retrying("open \(path)") { Int(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)) })
    defer { close(fd) }
    var done = 0
    bytes.withUnsafeBytes { raw in
        while done < raw.count { done += retrying("write \(path)") { write(fd, raw.baseAddress! + done, raw.count - done) } }
    }
}

func contents(of path: String) -> [UInt8] {
    let fd = Int32(retrying("open \(path)") { Int(open(path, O_RDONLY | O_CLOEXEC)) })
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { raw in retrying("read \(path)") { read(fd, raw.baseAddress!, raw.count) } }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
    }
}

/// The bytes of a database holding one sound recording, made once.
let template: [UInt8] = {
    let dir = NSTemporaryDirectory() + "oht50-fuzz-trips-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // The store is closed (its WAL checkpointed into the file) before the bytes are taken.
    do {
        let store = try! EventStore(dataDir: dir)
        let trip = SafetyEvent(kind: .trip, at: 5_000_000_000, from: .ready, to: .fault, causes: [.estop])
        let samples = (0..<20).map {
            LoopSample(
                at: 4_990_000_000 + UInt64($0) * 1_000_000, state: .ready, estopRaw: 1, motionEnable: true,
                driveSpeedPercent: 10, wakeupLatencyUs: 12, causes: [])
        }
        try! store.append(TripRecording(trip: trip, wallTime: "2026-11-24T21:00:00.000Z", samples: samples, bus: ["power@2 age_ms=3"]))
    }
    return contents(of: dir + "/" + EventStore.fileName)
}()
let work: String = {
    let dir = NSTemporaryDirectory() + "oht50-fuzz-trips-work-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTripReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else { return 0 }
    let file = work + "/" + EventStore.fileName
    // The previous input's journal files must not be replayed into this one.
    for suffix in ["-wal", "-shm", "-journal"] { unlink(file + suffix) }
    if mode % 2 == 0 {
        put(Array(bytes.dropFirst()), at: file)
    } else {
        put(template, at: file)
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
