/// `storage.*`: where the daemon keeps its database and files.
public struct StorageSettings: Sendable, Equatable {
    /// The runbook backs up `/opt/oht50/data/`.
    public var dataDir = "/opt/oht50/data"
    public var telemetryRetentionDays = 30

    public init() {}

    static func decode(_ m: inout ConfigMapping) throws -> StorageSettings {
        var s = StorageSettings()
        s.dataDir = try m.string("data_dir", default: s.dataDir)
        s.telemetryRetentionDays = try m.int("telemetry_retention_days", default: s.telemetryRetentionDays, range: 1...3_650, unit: " days")
        try m.rejectUnknownKeys()
        return s
    }
}
