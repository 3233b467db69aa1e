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

    @Test("a drive order keeps setpoint, trip generation, stop requests and motion ends apart in one word")
    func orderRoundTrip() {
        let setpoint = DriveSetpoint(MotionRequest(speedPercent: 100, direction: .reverse))
        for ends: UInt16 in [0, 1, 0x7FFF] {
            let order = DriveOrder(setpoint: setpoint, tripGeneration: 0xBEEF, stopRequests: 0x1_2345, motionEnds: ends)
            let back = DriveOrder(raw: order.raw)
            #expect(back == order)
            #expect(back.setpoint == setpoint && back.motionEnds == ends && back.tripGeneration == 0xBEEF && back.stopRequests == 0x2345)
        }
        // A lease expiry followed by the same move is a different order: the bus thread sees the stop.
        #expect(
            DriveOrder(setpoint: setpoint, tripGeneration: 1, stopRequests: 0, motionEnds: 1).raw
                != DriveOrder(setpoint: setpoint, tripGeneration: 1, stopRequests: 0, motionEnds: 2).raw)
    }
}
