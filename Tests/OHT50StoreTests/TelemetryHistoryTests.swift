import Foundation
import OHT50TestSupport
import Testing

@testable import OHT50Core
@testable import OHT50Store

@Suite("Telemetry history")
struct TelemetryHistoryTests {
    static let day: Int64 = 86_400_000

    static func history(_ dir: TemporaryDirectory, retentionDays: Int, maxRows: Int64 = TelemetryHistory.defaultMaxRows) throws
        -> TelemetryHistory
    {
        _ = try EventStore(dataDir: dir.path)
        return try TelemetryHistory(dataDir: dir.path, retentionDays: retentionDays, maxRows: maxRows)
    }

    static func record(_ history: TelemetryHistory, module: Int, at unixMs: Int64, voltage: Double) {
        history.record(
            address: module, type: .power, values: [DecodedValue(name: "voltage", value: voltage, unit: "V", raw: 0, register: 0)],
            unixMs: unixMs)
    }

    @Test("rows read back by module and time range, oldest first, with their values")
    func readBack() throws {
        let dir = TemporaryDirectory()
        let history = try Self.history(dir, retentionDays: 7)
        let t0: Int64 = 1_790_000_000_000
        for s in 0..<10 as Range<Int64> {
            Self.record(history, module: 2, at: t0 + s * 1_000, voltage: 24 + Double(s) / 10)
            Self.record(history, module: 3, at: t0 + s * 1_000, voltage: 0)
        }
        let rows = try history.rows(module: 2, fromMs: t0 + 2_000, toMs: t0 + 4_000, limit: 100)
        #expect(rows.map(\.unixMs) == [t0 + 2_000, t0 + 3_000, t0 + 4_000])
        #expect(rows.map { $0.values["voltage"] } == [24.2, 24.3, 24.4])
        #expect(rows.allSatisfy { $0.module == 2 && $0.type == "power" })
        #expect(try history.rows(module: nil, fromMs: t0, toMs: t0 + 9_000, limit: 5).count == 5)
    }

    @Test("prune drops rows older than storage.telemetry_retention_days and keeps the rest")
    func pruneByAge() throws {
        let dir = TemporaryDirectory()
        let history = try Self.history(dir, retentionDays: 2)
        let now: Int64 = 1_790_000_000_000
        let ages: [Int64] = [5 * Self.day, 3 * Self.day, 2 * Self.day + 1, 2 * Self.day, Self.day, 0]
        for age in ages { Self.record(history, module: 2, at: now - age, voltage: Double(age)) }
        history.prune(nowUnixMs: now)
        let kept = try history.rows(module: 2, fromMs: 0, toMs: now, limit: 100).map { now - $0.unixMs }
        #expect(kept == [2 * Self.day, Self.day, 0])
    }

    @Test("prune keeps at most maxRows, the newest")
    func pruneByCount() throws {
        let dir = TemporaryDirectory()
        let history = try Self.history(dir, retentionDays: 30, maxRows: 4)
        let now: Int64 = 1_790_000_000_000
        for s in 0..<10 as Range<Int64> { Self.record(history, module: 2, at: now - 10_000 + s * 1_000, voltage: Double(s)) }
        history.prune(nowUnixMs: now)
        let kept = try history.rows(module: 2, fromMs: 0, toMs: now, limit: 100)
        #expect(kept.map { $0.values["voltage"] } == [6, 7, 8, 9])
    }
}
