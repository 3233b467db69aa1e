import FoundationEssentials

/// How much of a list one answer may carry. Anyone may read the event log and the telemetry history
/// without a token, and each answer is built whole in the daemon's locked memory: beside the row limit,
/// an answer stops at `maxBytes` of JSON and says where the next page starts.
enum ResponseBudget {
    static let maxBytes = 1 << 20

    /// How many of `rows`, from the first, fit in `maxBytes` once encoded (at least one, so a page always
    /// moves on, even past a single row larger than the budget).
    static func fitting<Row: Encodable>(_ rows: [Row], maxBytes: Int = maxBytes) -> Int {
        var total = 0
        for (index, row) in rows.enumerated() {
            total += ((try? JSONResponse.encoder.encode(row))?.count ?? 0) + 1
            if total > maxBytes { return max(1, index) }
        }
        return rows.count
    }
}
