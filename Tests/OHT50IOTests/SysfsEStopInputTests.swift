import Foundation
import OHT50Core
import OHT50TestSupport
import Testing

@testable import OHT50IO

@Suite("sysfs E-stop input")
struct SysfsEStopInputTests {
    @Test("active-low: 1 reads released, 0 reads pressed, as the file changes")
    func activeLow() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("gpio59/value", "1\n")
        let input = try SysfsEStopInput(path: path, activeLow: true)
        #expect(input.sample() == EStopSample(level: .released, raw: 1))
        dir.write("gpio59/value", "0\n")
        #expect(input.sample() == EStopSample(level: .pressed, raw: 0))
        dir.write("gpio59/value", "1")
        #expect(input.sample().level == .released)
    }

    @Test("active-high inverts the meaning")
    func activeHigh() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("value", "1\n")
        let input = try SysfsEStopInput(path: path, activeLow: false)
        #expect(input.sample().level == .pressed)
    }

    @Test("a missing file at start is a hardware error naming the file and what to check")
    func missingAtStart() {
        let dir = TemporaryDirectory()
        let path = dir.file("gpio59/value")
        do {
            _ = try SysfsEStopInput(path: path, activeLow: true)
            Issue.record("accepted a missing file")
        } catch {
            #expect(error.device == path)
            #expect(error.role.contains("estop.sysfs_path"))
            #expect(error.description.contains("No such file"))
        }
    }

    @Test("garbage at start is a hardware error")
    func garbageAtStart() {
        let dir = TemporaryDirectory()
        let path = dir.write("value", "x\n")
        #expect(throws: HardwareError.self) { try SysfsEStopInput(path: path, activeLow: true) }
    }

    @Test("a file that vanishes or holds garbage at run time reads unreadable, never released")
    func runtimeFaults() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("value", "1\n")
        let input = try SysfsEStopInput(path: path, activeLow: true)
        dir.write("value", "2\n")
        #expect(input.sample() == .unreadable)
        dir.write("value", "1\n")
        #expect(input.sample().level == .released)
        try FileManager.default.removeItem(atPath: path)
        #expect(input.sample() == .unreadable)
        dir.write("value", "0\n")
        #expect(input.sample().level == .pressed)
    }

    /// Issue 30: the value file stays open between reads (pread at 0) instead of open/read/close each
    /// cycle; a file replaced by a rename or deleted is noticed by its link count.
    @Test("the file stays open between reads; a file replaced by rename is read at the next sample, a deleted one is unreadable")
    func keptOpen() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("gpio59/value", "1\n")
        let input = try SysfsEStopInput(path: path, activeLow: true)
        #expect(input.sample().level == .released)
        func descriptors() -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path }.count
        }
        #expect(descriptors() == 1)
        for _ in 0..<10 { _ = input.sample() }
        #expect(descriptors() == 1)
        dir.replace("gpio59/value", "0\n")
        #expect(input.sample().level == .pressed)
        dir.replace("gpio59/value", "1\n")
        #expect(input.sample().level == .released)
        try FileManager.default.removeItem(atPath: path)
        #expect(input.sample() == .unreadable)
        #expect(descriptors() == 0)
    }

    @Test("an empty file (a writer between truncate and write) keeps the last level briefly, then faults")
    func emptyFileTolerance() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("value", "0\n")
        let input = try SysfsEStopInput(path: path, activeLow: true)
        #expect(input.sample().level == .pressed)
        dir.write("value", "")
        for _ in 0..<20 { #expect(input.sample().level == .pressed) }
        #expect(input.sample() == .unreadable)
    }
}
