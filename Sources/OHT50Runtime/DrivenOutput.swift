import OHT50IO

/// One output as the safety thread drives it (DESIGN "Single faults"): written every cycle with the
/// level the state wants, not only on a change, so a line driven from outside (a pinctrl reset, an
/// unexport and re-export, anyone in group `gpio`) is put back within a cycle; and read back before
/// each write, so a line that did not hold the level written last cycle is reported as well as
/// rewritten.
struct DrivenOutput {
    let line: (any OutputLine)?
    /// The level the last successful write left, nil before the first or after a failed one.
    private var written: Bool?
    /// Cycles in a row the line could not be read back. A plain file being rewritten reads empty for a
    /// moment; a line that cannot be read back for longer is not checked, which is a fault.
    private var unreadable = 0
    static let unreadableTolerance = 20

    init(_ line: (any OutputLine)?) { self.line = line }

    /// Returns false when the write failed or the line did not hold last cycle's level (`output_fault`).
    @inline(__always)
    mutating func drive(_ on: Bool) -> Bool {
        guard let line else { return true }
        var held = true
        if let written {
            if let level = line.sense() {
                unreadable = 0
                held = level == written
            } else {
                unreadable += 1
                held = unreadable <= Self.unreadableTolerance
            }
        }
        if line.set(on) {
            written = on
            return held
        }
        written = nil
        return false
    }
}
