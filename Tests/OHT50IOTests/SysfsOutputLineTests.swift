import Foundation
import OHT50TestSupport
import Testing

@testable import OHT50IO

@Suite("sysfs output line")
struct SysfsOutputLineTests {
    @Test("writes 1 and 0 in place")
    func writes() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("gpio131/value", "0\n")
        let line = try SysfsOutputLine(path: path, role: "motion-enable output")
        #expect(line.set(true))
        #expect(dir.read("gpio131/value") == "1\n")
        #expect(line.set(false))
        #expect(dir.read("gpio131/value") == "0\n")
    }

    @Test("a missing output file is a hardware error naming its role")
    func missing() {
        let dir = TemporaryDirectory()
        do {
            _ = try SysfsOutputLine(path: dir.file("gpio131/value"), role: "motion-enable output (outputs.motion_enable)")
            Issue.record("accepted a missing file")
        } catch {
            #expect(error.description.contains("motion-enable output (outputs.motion_enable)"))
            #expect(error.description.contains("gpio131/value"))
        }
    }
}
