/// The daemon's version, reported by `/health/detailed`, `--version` and the start log line.
public enum FirmwareVersion {
    public static let current = "0.1.0"
}
