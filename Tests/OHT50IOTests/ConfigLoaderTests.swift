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
