/// Where a configuration value came from, so an error can point at it.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    case file(path: String, line: Int)
    case environment(variable: String)
    case flag(String)
    case builtIn

    public var description: String {
        switch self {
        case .file(let path, let line): line > 0 ? "\(path):\(line)" : path
        case .environment(let variable): "environment variable \(variable)"
        case .flag(let flag): "command-line flag \(flag)"
        case .builtIn: "built-in default"
        }
    }
}
