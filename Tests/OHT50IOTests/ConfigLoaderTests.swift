import Foundation
import OHT50Core
import OHT50TestSupport
import Testing

@testable import OHT50IO

@Suite("Config loader")
struct ConfigLoaderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("config/firmware.yaml documents exactly the built-in defaults")
    func shippedFileIsDefaults() throws {
        let loaded = try ConfigLoader.load(path: Self.repository + "/config/firmware.yaml", environment: [:], flags: [])
        #expect(loaded.config == FirmwareConfig.defaults)
    }

    @Test("the printed effective configuration reads back to the same values")
    func printedFormRoundTrips() throws {
        let dir = TemporaryDirectory()
        var config = FirmwareConfig.defaults
        config.outputs.heartbeat = OutputLineSettings(backend: .gpiod, chip: "gpiochip4", line: 5)
        config.outputs.leds.error = OutputLineSettings(backend: .sysfs, sysfsPath: "/sys/class/gpio/gpio58/value")
        config.modules = [ModuleSettings(address: 2, type: .power), ModuleSettings(address: 3, type: .motor, pollMs: 15)]
        let path = dir.write("printed.yaml", config.yaml)
        #expect(try ConfigLoader.load(path: path, environment: [:], flags: []).config == config)
    }

    @Test("two E-stop channels and a contactor feedback read from YAML, and print back to the same values")
    func safetyRelayInputs() throws {
        let dir = TemporaryDirectory()
        let yaml = """
            estop:
              channels:
                - {backend: gpiod, chip: gpiochip1, line: 27}
                - {backend: sysfs, sysfs_path: /sys/class/gpio/gpio60/value, active_low: false}
              discrepancy_ms: 200
            outputs:
              motion_enable:
                backend: gpiod
                chip: gpiochip4
                line: 3
                feedback: {backend: gpiod, chip: gpiochip4, line: 6, drop_out_ms: 40}
            """
        let config = try ConfigLoader.load(path: dir.write("relay.yaml", yaml), environment: [:], flags: []).config
        #expect(config.estop.channels.count == 2)
        #expect(
            config.estop.first
                == InputLineSettings(backend: .gpiod, chip: "gpiochip1", line: 27, sysfsPath: config.estop.sysfsPath, activeLow: true))
        #expect(config.estop.second == InputLineSettings(backend: .sysfs, sysfsPath: "/sys/class/gpio/gpio60/value", activeLow: false))
        #expect(config.estop.discrepancyMs == 200)
        #expect(config.outputs.motionEnable.backend == .gpiod && config.outputs.motionEnable.line == 3)
        let feedback = try #require(config.outputs.motionEnableFeedback)
        #expect(feedback.line == InputLineSettings(backend: .gpiod, chip: "gpiochip4", line: 6, activeLow: false))
        #expect(feedback.pullInMs == 100 && feedback.dropOutMs == 40)
        #expect(try ConfigLoader.load(path: dir.write("printed.yaml", config.yaml), environment: [:], flags: []).config == config)
        // One channel in the list form is the one-channel configuration.
        let one = try ConfigLoader.load(
            path: dir.write("one.yaml", "estop:\n  channels:\n    - {backend: sysfs, sysfs_path: /sys/class/gpio/gpio59/value}\n"),
            environment: [:], flags: [])
        #expect(one.config == FirmwareConfig.defaults)
    }

    @Test(
        "a wrong two-channel or feedback configuration is an error naming the key and what is allowed",
        arguments: [
            (
                "estop:\n  channels: [{sysfs_path: /a}, {sysfs_path: /b}, {sysfs_path: /c}]\n", "estop.channels",
                "must hold one or two inputs"
            ),
            ("estop:\n  channels: [{sysfs_path: /a}, {sysfs_path: /a}]\n", "estop.channels[1]", "is the same line as the other channel"),
            ("estop:\n  channels: [{sysfs_path: /a}, {backend: gpiod, chip: gpiochip1}]\n", "estop.channels[1]", "without chip and line"),
            ("estop:\n  discrepancy_ms: 100\n", "estop.discrepancy_ms", "needs two channels"),
            ("estop:\n  channels: [{sysfs_path: /a}, {sysfs_path: /b}]\n  line: 4\n", "estop.line", "is not a known key"),
            ("estop:\n  channels: [{sysfs_path: /a}, {sysfs_path: /b}]\n  discrepancy_ms: 5000\n", "estop.discrepancy_ms", "out of range"),
            ("outputs:\n  motion_enable:\n    feedback: {backend: sysfs}\n", "outputs.motion_enable.feedback", "without sysfs_path"),
            (
                "outputs:\n  motion_enable:\n    feedback: {sysfs_path: /f, pull_in_ms: 0}\n", "outputs.motion_enable.feedback.pull_in_ms",
                "out of range"
            ),
            (
                "outputs:\n  heartbeat:\n    sysfs_path: /h\n    feedback: {sysfs_path: /f}\n", "outputs.heartbeat.feedback",
                "is not a known key"
            ),
        ])
    func safetyRelayErrors(yaml: String, key: String, problem: String) throws {
        let dir = TemporaryDirectory()
        let path = dir.write("bad.yaml", yaml)
        let error = try #require(throws: ConfigError.self) { try ConfigLoader.load(path: path, environment: [:], flags: []) }
        #expect(error.key == key)
        #expect(error.description.contains(problem))
        #expect(error.description.hasPrefix(path + ":"))
    }

    @Test("file, then environment, then flags")
    func precedence() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("f.yaml", "http:\n  port: 9000\n  bind: \"127.0.0.2\"\nsafety:\n  cycle_ms: 2\n")
        let loaded = try ConfigLoader.load(
            path: path, environment: ["OHT50_HTTP_PORT": "9001", "OHT50_LOG_LEVEL": "debug", "OHT50_API_TOKEN": "secret", "PATH": "/bin"],
            flags: [.init(flag: "--http-port", key: "http.port", value: "9002")])
        #expect(loaded.config.http.port == 9002)
        #expect(loaded.config.http.bind == "127.0.0.2")
        #expect(loaded.config.safety.cycleMs == 2)
        #expect(loaded.config.logLevel == .debug)
        #expect(loaded.overrides == ["OHT50_HTTP_PORT → http.port", "OHT50_LOG_LEVEL → log.level", "--http-port → http.port"])
    }

    @Test("errors name the file and line, the key, the value and what is allowed")
    func fileErrorsHaveLines() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("f.yaml", "safety:\n  cycle_ms: 1\n  reset_release_ms: -5\n")
        do {
            _ = try ConfigLoader.load(path: path, environment: [:], flags: [])
            Issue.record("accepted")
        } catch let error as ConfigError {
            #expect(
                error.description == "\(path):3: safety.reset_release_ms = \"-5\": is out of range; allowed: an integer from 0 to 60000 ms")
        }
    }

    @Test("an unknown OHT50_ variable is an error; the token variable is not")
    func unknownEnvironment() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(path: nil, environment: ["OHT50_HTTP_PROT": "1"], flags: [])
        }
    }

    @Test("a missing or malformed file is an error naming it")
    func missingOrMalformed() throws {
        let dir = TemporaryDirectory()
        do {
            _ = try ConfigLoader.load(path: dir.file("none.yaml"), environment: [:], flags: [])
            Issue.record("accepted")
        } catch let error as ConfigError {
            #expect(error.value == dir.file("none.yaml"))
        }
        let bad = dir.write("bad.yaml", "safety:\n  cycle_ms: [1\n")
        do {
            _ = try ConfigLoader.load(path: bad, environment: [:], flags: [])
            Issue.record("accepted")
        } catch let error as ConfigError {
            #expect(error.description.hasPrefix(bad + ":"))
            #expect(error.problem.contains("not valid YAML"))
        }
    }
}
