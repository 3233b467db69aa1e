/// `log.level`: the lowest level written to stderr (and so to the journal).
public enum LogLevel: String, Sendable, CaseIterable, Equatable {
    case trace, debug, info, notice, warning, error, critical
}
