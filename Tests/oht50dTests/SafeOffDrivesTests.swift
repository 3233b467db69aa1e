import OHT50Core
import Testing

@testable import OHT50dCLI

/// Which bus settings safe-off stops each drive with (issue 38, item 10). The difference a baud rate or
/// parity makes cannot be shown on a pty (its termios settings change nothing): this is the grouping.
@Suite("safe-off: drives grouped by port with every configuration's settings")
struct SafeOffDrivesTests {
    static func config(baud: Int, drives: [Int], port: String = "/dev/ttyOHT485") -> FirmwareConfig {
        var config = FirmwareConfig()
        config.bus.port = port
        config.bus.baud = baud
        config.modules = [ModuleSettings(address: 2, type: .power)] + drives.map { ModuleSettings(address: $0, type: .motor) }
        return config
    }

    @Test("one port, two settings: each drive once, the last started configuration's settings first, then the current file's")
    func bothSettingsLastStartedFirst() {
        let current = Self.config(baud: 115_200, drives: [3])
        let lastStarted = Self.config(baud: 9_600, drives: [3, 4])
        let groups = VehicleSafeOff.drives(of: [current, lastStarted])
        #expect(groups.count == 1)
        #expect(groups.first?.buses.map(\.baud) == [9_600, 115_200])
        #expect(groups.first?.addresses == [3, 4])
    }

    @Test("the same settings twice are tried once; another port is a group of its own")
    func sameSettingsOnce() {
        let groups = VehicleSafeOff.drives(of: [
            Self.config(baud: 115_200, drives: [3]), Self.config(baud: 115_200, drives: [3], port: "/dev/ttyS2"),
        ])
        #expect(groups.count == 2)
        #expect(groups.allSatisfy { $0.buses.count == 1 && $0.addresses == [3] })
        #expect(
            VehicleSafeOff.drives(of: [Self.config(baud: 115_200, drives: [3]), Self.config(baud: 115_200, drives: [3])]).first?.buses.count
                == 1)
    }
}
