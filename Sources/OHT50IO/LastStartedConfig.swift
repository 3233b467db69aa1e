import FoundationEssentials
import OHT50Core

/// `<data-dir>/last-started-config.yaml`: the effective configuration of the last start that got its
/// hardware, written by the daemon, read by `oht50d safe-off` when the configured file no longer parses.
public enum LastStartedConfig {
    public static let fileName = "last-started-config.yaml"

    public static func path(dataDir: String) -> String { dataDir + "/" + fileName }

    /// Written aside and renamed: a crash mid-write leaves the previous one.
    public static func save(_ config: FirmwareConfig, dataDir: String) throws {
        let text = "# written by oht50d at start: the configuration it ran with (oht50d safe-off falls back to it)\n" + config.yaml
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(dataDir: dataDir)), options: .atomic)
    }
}
