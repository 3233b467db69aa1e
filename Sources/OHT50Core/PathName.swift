/// The bits of path arithmetic oht50d needs, on plain strings (NSString's path methods are not in
/// FoundationEssentials, issue 30).
public enum PathName {
    /// `/dev/ttyOHT485` → `/dev`; `/dev/` → `/`; `/` → `/`; `name` → `` (like NSString's
    /// `deletingLastPathComponent`).
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let directory = trimmed[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// `/dev/ttyS1` → `ttyS1`; `/sys/class/gpio/` → `gpio`.
    public static func lastComponent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed != "/" else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `/dev` + `ttyS1` → `/dev/ttyS1`; an empty directory gives the name itself.
    public static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
