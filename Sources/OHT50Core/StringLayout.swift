extension StringProtocol {
    /// Without leading and trailing white space and line ends (Foundation's `trimmingCharacters(in:)`
    /// is not in FoundationEssentials, issue 30).
    public var trimmed: String { trimming { $0.isWhitespace } }

    /// Without leading and trailing characters that match.
    public func trimming(_ matches: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !matches($0) }), let last = lastIndex(where: { !matches($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// Cut or filled with spaces to exactly `width` characters, for columns (Foundation's
    /// `padding(toLength:withPad:startingAt:)` with a space).
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
