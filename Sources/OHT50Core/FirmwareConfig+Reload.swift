/// What a reload (SIGHUP) may change while the daemon runs, and what needs a restart.
extension FirmwareConfig {
    /// The top-level sections of `other` that differ from this one, by their YAML names.
    public func changedSections(comparedTo other: FirmwareConfig) -> [String] {
        var changed: [String] = []
        if safety != other.safety { changed.append("safety") }
        if estop != other.estop { changed.append("estop") }
        if outputs != other.outputs { changed.append("outputs") }
        if bus != other.bus { changed.append("bus") }
        if modules != other.modules { changed.append("modules") }
        if http != other.http { changed.append("http") }
        if storage != other.storage { changed.append("storage") }
        if cpu != other.cpu { changed.append("cpu") }
        if logLevel != other.logLevel { changed.append("log") }
        return changed
    }

    /// Sections a reload applies at once. Everything else touches the RT threads, the bus, the HTTP
    /// listener or the store, and is ignored (with a warning naming it) until a restart.
    public static let reloadableSections: Set<String> = ["log"]
}
