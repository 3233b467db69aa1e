import FoundationEssentials
import OHT50Core

/// Builds the effective configuration: the YAML file, then `OHT50_*` environment variables, then
/// command-line flags, each later source overriding the earlier one key by key.
public enum ConfigLoader {
    public static let defaultPath = "/opt/oht50/config/firmware.yaml"
    /// The unit's `EnvironmentFile=`: shared with the backend, and what systemd reads into the environment
    /// whose `OHT50_*` settings override the file.
    public static let vehicleEnvironmentFile = "/opt/oht50/.env"

    /// `OHT50_` variables that are not config keys and are passed over without a word: the API token, and
    /// the project's tools' own (the cache root of the tools, the property test's count), which a shell
    /// running the tools may hold when it runs the daemon too.
    public static let reservedEnvironment: Set<String> = ["OHT50_API_TOKEN", "OHT50_CACHE", "OHT50_PROPERTY_COUNT"]

    /// A value given on the command line for a config key.
    public struct FlagOverride: Sendable {
        public var flag: String
        public var key: String
        public var value: String

        public init(flag: String, key: String, value: String) {
            self.flag = flag
            self.key = key
            self.value = value
        }
    }

    public struct Loaded: Sendable {
        public var config: FirmwareConfig
        /// The file read, or nil when the built-in defaults were used.
        public var path: String?
        /// "OHT50_HTTP_PORT → http.port" and "--data-dir → storage.data_dir" lines, for the log.
        public var overrides: [String]
        /// `OHT50_` variables that name no setting, sorted: not read (their values are never looked at),
        /// named in a warning. The shared `/opt/oht50/.env` holds the backend's variables too (a database
        /// password under our prefix must neither stop the vehicle's daemon nor reach its log); a misspelt
        /// setting shows up there.
        public var ignoredEnvironment: [String]

        /// The warning for the ignored variables, nil when there are none.
        public var ignoredWarning: String? {
            guard !ignoredEnvironment.isEmpty else { return nil }
            return "environment variables ignored, not settings of oht50d (values not read): "
                + ignoredEnvironment.joined(separator: ", ") + "; a setting's variable is OHT50_ and its key in capitals, "
                + "e.g. OHT50_HTTP_PORT for http.port"
        }
    }

    /// - Parameter path: the `--config` value; nil means the default path, or the built-in defaults
    ///   when no file is there.
    /// - Parameter watchdog: systemd's watchdog the stall times must come before (`run` under its unit,
    ///   `check-config`); the fail-safe commands (safe-off) never pass one: they must load what ran.
    /// A file that is not trusted (`TrustedPath`), and the vehicle's `.env` when it is not and an environment
    /// is given, are refused — by safe-off too, which then falls back to the last started configuration
    /// (loaded without an environment, so an untrusted `.env` does not cost it that file) and the defaults:
    /// such a file chooses which files are written and what "off" is.
    public static func load(
        path: String?, environment: [String: String], flags: [FlagOverride], watchdog: ServiceWatchdog? = nil
    ) throws -> Loaded {
        if !environment.isEmpty, let problem = TrustedPath.problem(vehicleEnvironmentFile) {
            throw ConfigError(
                origin: .file(path: vehicleEnvironmentFile, line: 0), key: "environment file", value: nil,
                problem: "is not trusted: \(problem)",
                allowed: "a file only root can change: systemd reads it into the daemon's environment, whose OHT50_* "
                    + "variables override the configuration (README \"Security\")")
        }
        var root: ConfigNode
        var used: String?
        if let path {
            root = try YAMLConfigDocument.parse(try read(path, origin: .flag("--config")), path: path)
            used = path
        } else if FileManager.default.fileExists(atPath: defaultPath) {
            root = try YAMLConfigDocument.parse(try read(defaultPath, origin: .builtIn), path: defaultPath)
            used = defaultPath
        } else {
            root = .mapping([], .builtIn)
        }

        var overrides: [String] = []
        var ignored: [String] = []
        let keysByVariable = Dictionary(
            uniqueKeysWithValues: FirmwareConfig.environmentKeys.map { (FirmwareConfig.environmentVariable(forKey: $0), $0) })
        for (variable, value) in environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix("OHT50_") && !reservedEnvironment.contains(variable) {
            guard let key = keysByVariable[variable] else {
                ignored.append(variable)
                continue
            }
            root = root.setting(key.split(separator: ".").map(String.init), to: .scalar(value, .environment(variable: variable)))
            overrides.append("\(variable) → \(key)")
        }
        for flag in flags {
            root = root.setting(flag.key.split(separator: ".").map(String.init), to: .scalar(flag.value, .flag(flag.flag)))
            overrides.append("\(flag.flag) → \(flag.key)")
        }
        let config = try FirmwareConfig.decode(root)
        if let watchdog { try watchdog.check(config, document: root) }
        return Loaded(config: config, path: used, overrides: overrides, ignoredEnvironment: ignored)
    }

    private static func read(_ path: String, origin: ConfigOrigin) throws -> String {
        if let problem = TrustedPath.problem(path) {
            throw ConfigError(
                origin: origin, key: "config file", value: path, problem: "is not trusted: \(problem)",
                allowed: "a file only root (or oht50d's own user) can change, in directories likewise (README \"Security\")")
        }
        do {
            return try TextFile.read(path)
        } catch {
            throw ConfigError(
                origin: origin, key: "config file", value: path, problem: "cannot be read (\(error))",
                allowed: "a readable YAML file; see config/firmware.yaml")
        }
    }
}
