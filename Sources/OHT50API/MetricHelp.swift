import OHT50Runtime

/// Adds each family's `# HELP` line (`MetricFamily.help`) to swift-prometheus' exposition.
enum MetricHelp {
    /// Puts `# HELP` before every `# TYPE` line that has none.
    static func annotate(_ exposition: String) -> String {
        var out: [Substring] = []
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init) ?? ""
                if !previous.hasPrefix("# HELP \(name) "), let help = MetricFamily(rawValue: name)?.help {
                    out.append(Substring("# HELP \(name) \(help)"))
                }
            }
            out.append(line)
            previous = line
        }
        return out.joined(separator: "\n")
    }
}
