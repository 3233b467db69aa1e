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

    @Test("the libgpiod loaded at run time is the one the system has (v2 before v1), and hints use its tools' command line")
    func loadedLibrary() throws {
        let libraries = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu"]
        func present(_ soname: String) -> Bool { libraries.contains { FileManager.default.fileExists(atPath: "\($0)/\(soname)") } }
        let expected = present("libgpiod.so.3") ? 2 : present("libgpiod.so.2") ? 1 : nil
        #expect(GPIODLibrary.api == expected, "\(GPIODLibrary.description)")
        switch expected {
        case 2?:
            #expect(GPIODLibrary.description.hasSuffix("(v2 API, libgpiod.so.3)"))
            #expect(GPIODLibrary.gpioinfo("gpiochip1") == "gpioinfo -c gpiochip1")
        case 1?:
            #expect(GPIODLibrary.description.hasSuffix("(v1 API, libgpiod.so.2)"))
            #expect(GPIODLibrary.gpioinfo("gpiochip1") == "gpioinfo gpiochip1")
        default:
            #expect(GPIODLibrary.description.hasPrefix("no libgpiod: "))
        }
        // The library's own version, as its tools print it ("1.6.3", "2.2.1").
        if expected != nil { #expect(GPIODLibrary.description.range(of: #"^libgpiod [0-9]+\.[0-9]+"#, options: .regularExpression) != nil) }
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
