import OHT50IO

/// Writes a line only when its value changes, and again every cycle after a failed write.
struct DrivenOutput {
    let line: (any OutputLine)?
    private var written: Bool?

    init(_ line: (any OutputLine)?) { self.line = line }

    /// Returns false when the write failed.
    @inline(__always)
    mutating func drive(_ on: Bool) -> Bool {
        guard let line, written != on else { return true }
        if line.set(on) {
            written = on
            return true
        }
        written = nil
        return false
    }
}
