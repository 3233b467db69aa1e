import Foundation
import OHT50Core
import OHT50TestSupport
import Testing

@testable import OHT50IO

/// This machine's kernel has no GPIO, so only the start-up failures of the gpiod backend run here; the
/// README says how the backend is verified on the vehicle.
@Suite("gpiod backend (error paths)")
struct GPIODLineTests {
    private func failure(_ body: () throws(HardwareError) -> Void) -> HardwareError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "a chip that does not exist, named by name, path, label or number, is refused naming it",
        arguments: ["gpiochip97", "/dev/gpiochip97", "rockchip,gpio-no-such-label", "97"])
    func missingChip(descriptor: String) throws {
        try #require(GPIOLineRequest.availableChips().isEmpty || !GPIOLineRequest.availableChips().contains("gpiochip97"))
        let error = try #require(
            failure { () throws(HardwareError) in _ = try GPIODEStopInput(chip: descriptor, line: 27, activeLow: true) })
        #expect(error.role == "E-stop input (estop.chip, estop.line)")
        #expect(error.device == descriptor)
        #expect(error.problem.contains("no such GPIO chip"))
        #expect(error.hint.contains("gpiodetect"))
        if GPIOLineRequest.availableChips().isEmpty {
            #expect(error.hint.contains("no /dev/gpiochip* exists"))
        }
    }

    @Test("a path that is not a GPIO chip is refused as such")
    func notAChip() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("gpiochip1", "")
        for candidate in [path, "/dev/null"] {
            let error = try #require(
                failure { () throws(HardwareError) in
                    _ = try GPIODOutputLine(chip: candidate, line: 3, role: "motion-enable output (outputs.motion_enable)")
                })
            #expect(error.device == candidate)
            #expect(error.role == "motion-enable output (outputs.motion_enable)")
            #expect(error.problem.contains("not a GPIO chip"))
        }
    }

    @Test("the factory builds gpiod lines from config, so a missing chip fails at start")
    func factory() throws {
        var estop = EStopSettings()
        estop.backend = .gpiod
        estop.chip = "gpiochip96"
        let input = try #require(failure { () throws(HardwareError) in _ = try VehicleOpener.estopInput(estop) })
        #expect(input.description.hasPrefix("E-stop input (estop.chip, estop.line): gpiochip96: no such GPIO chip"))
        let output = try #require(
            failure { () throws(HardwareError) in
                _ = try VehicleOpener.output(
                    OutputLineSettings(backend: .gpiod, chip: "gpiochip95", line: 4), role: "heartbeat output (outputs.heartbeat)")
            })
        #expect(output.description.hasPrefix("heartbeat output (outputs.heartbeat): gpiochip95: no such GPIO chip"))
    }
}
