import OHT50Core
import Testing

@testable import OHT50Runtime

@Suite("Drive setpoint")
struct DriveSetpointTests {
    @Test(
        "0–100 % maps onto the drive's 0–255 with direction; no request is stop",
        arguments: [
            (UInt8(0), UInt16(0)), (1, 3), (40, 102), (50, 128), (100, 255),
        ])
    func mapping(percent: UInt8, raw: UInt16) {
        let setpoint = DriveSetpoint(MotionRequest(speedPercent: percent, direction: .reverse))
        #expect(setpoint.running)
        #expect(setpoint.speed == raw)
        #expect(setpoint.direction == 2)
        #expect(DriveSetpoint(nil) == DriveSetpoint(raw: 0))
        #expect(!DriveSetpoint(nil).running)
    }
}
