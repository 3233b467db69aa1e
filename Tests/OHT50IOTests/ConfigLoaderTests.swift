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

    /// Issue 40: the backend's own variables in the shared `.env` (a database password under our prefix)
    /// stopped the daemon (78) and put the value in the journal.
    @Test("an OHT50_ variable naming no setting is ignored and named without its value; the token's and the tools' are not named")
    func unknownEnvironment() throws {
        let loaded = try ConfigLoader.load(
            path: nil, environment: ["OHT50_HTTP_PROT": "9001", "OHT50_DB_PASSWORD": "hunter2secret"], flags: [])
        #expect(loaded.config == (try ConfigLoader.load(path: nil, environment: [:], flags: [])).config)
        #expect(loaded.ignoredEnvironment == ["OHT50_DB_PASSWORD", "OHT50_HTTP_PROT"])
        let warning = try #require(loaded.ignoredWarning)
        #expect(warning.contains("OHT50_DB_PASSWORD, OHT50_HTTP_PROT"))
        #expect(!warning.contains("hunter2secret") && !warning.contains("9001"))
        // A CI run with its caches elsewhere (OHT50_CACHE) ran check-config in that environment, refused.
        let tools = ["OHT50_API_TOKEN": "t", "OHT50_CACHE": "/var/cache/elsewhere", "OHT50_PROPERTY_COUNT": "5"]
        let quiet = try ConfigLoader.load(path: nil, environment: tools, flags: [])
        #expect(quiet.overrides.isEmpty && quiet.ignoredWarning == nil)
    }

    @Test("a rejected value from the environment is named by its variable, never printed; from the file it is")
    func environmentValueNotShown() throws {
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.load(path: nil, environment: ["OHT50_HTTP_PORT": "s3cr3t-port"], flags: [])
        }
        #expect(!error.description.contains("s3cr3t-port"))
        #expect(error.description.hasPrefix("environment variable OHT50_HTTP_PORT: http.port (value not shown"))
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

    /// The message `oht50d check-config` prints for `text` as a file.
    static func rejection(_ text: String, file: String = "bad.yaml") -> String {
        let dir = TemporaryDirectory()
        do {
            _ = try ConfigLoader.load(path: dir.write(file, text), environment: [:], flags: [])
            return "accepted"
        } catch {
            return "\(error)".replacing(dir.path + "/", with: "")
        }
    }

    @Test("a YAML syntax error names the line and column, what libyaml was reading, and the text of the line")
    func syntaxErrorsArePrecise() {
        #expect(
            Self.rejection("safety:\n  cycle_ms: 10\n   max_stall_ms: 3\n")
                == "bad.yaml:3: (document): is not valid YAML (mapping values are not allowed in this context at line 3, column 16; "
                + "line 3 reads \"   max_stall_ms: 3\"); allowed: a YAML mapping, see config/firmware.yaml")
        // At the end of the file, the line where the unfinished list starts is the one shown.
        #expect(
            Self.rejection("safety:\n  cycle_ms: [1\n")
                == "bad.yaml:3: (document): is not valid YAML (did not find expected ',' or ']' at line 3, column 1, while parsing a flow "
                + "sequence that starts at line 2, column 13; line 2 reads \"  cycle_ms: [1\"); allowed: a YAML mapping, see config/firmware.yaml"
        )
        #expect(Self.rejection("safety:\n\tcycle_ms: 10\n").contains("line 2 reads \"\\tcycle_ms: 10\""))
    }

    @Test("a key given twice, an alias, a list as a key and a second document are refused naming the key and both lines")
    func structureErrorsNameTheKey() {
        #expect(
            Self.rejection("safety:\n  cycle_ms: 10\n  cycle_ms: 20\n")
                == "bad.yaml:3: safety.cycle_ms: is given twice (first at line 2); allowed: each key once")
        #expect(
            Self.rejection("modules:\n  - address: 2\n    type: power\n    type: motor\n")
                == "bad.yaml:4: modules[0].type: is given twice (first at line 3); allowed: each key once")
        #expect(
            Self.rejection("safety:\n  cycle_ms: &x 10\n  max_stall_ms: *x\n")
                == "bad.yaml:3: safety.max_stall_ms: is a YAML alias (*name), which is not supported; allowed: the value written out")
        #expect(Self.rejection("? [a, b]\n: 1\n") == "bad.yaml:1: (key): is not a plain key; allowed: names such as safety, cycle_ms")
        #expect(
            Self.rejection("safety:\n  cycle_ms: 10\n---\nlog:\n  level: debug\n")
                == "bad.yaml:3: (document): is a second YAML document in the file; allowed: one document: the configuration mapping")
    }

    @Test("a config path that cannot be read says why: no such file, a directory, not UTF-8")
    func unreadableFileSaysWhy() throws {
        let dir = TemporaryDirectory()
        let reason = { (path: String) -> String in
            do {
                _ = try ConfigLoader.load(path: path, environment: [:], flags: [])
                return "accepted"
            } catch let error as ConfigError {
                #expect(error.value == path)
                return error.problem
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(dir.file("none.yaml")) == "cannot be read (No such file or directory)")
        try FileManager.default.createDirectory(atPath: dir.file("a-directory.yaml"), withIntermediateDirectories: false)
        #expect(reason(dir.file("a-directory.yaml")) == "cannot be read (Is a directory)")
        let latin1 = dir.file("latin1.yaml")
        FileManager.default.createFile(atPath: latin1, contents: Data("log:\n  level: info # caf".utf8 + [0xE9, 0x0A]))
        #expect(reason(latin1) == "cannot be read (not UTF-8 text: line 2, byte 24 of the file)")
    }

    @Test("http.allowed_hosts is a list of names; a single name or an empty entry is refused naming it, and the list round-trips")
    func allowedHosts() throws {
        #expect(
            Self.rejection("http:\n  allowed_hosts: oht50-07\n").contains(
                "bad.yaml:2: http.allowed_hosts = \"oht50-07\": is a single value"))
        #expect(Self.rejection("http:\n  allowed_hosts: [oht50-07, {a: 1}]\n").contains("http.allowed_hosts[1]: is not a non-empty string"))
        let dir = TemporaryDirectory()
        let loaded = try ConfigLoader.load(
            path: dir.write("hosts.yaml", "http:\n  allowed_hosts: [oht50-07.plant.local, \"10.20.0.57\"]\n"), environment: [:], flags: [])
        #expect(loaded.config.http.allowedHosts == ["oht50-07.plant.local", "10.20.0.57"])
        let again = try ConfigLoader.load(path: dir.write("effective.yaml", loaded.config.yaml), environment: [:], flags: [])
        #expect(again.config == loaded.config)
    }

    @Test("http.control_socket is an absolute path a socket can bind: relative or over 107 bytes is refused naming it; it round-trips")
    func controlSocketPath() throws {
        #expect(FirmwareConfig.defaults.http.controlSocket == "/run/oht50/control.sock")
        #expect(
            Self.rejection("http:\n  control_socket: control.sock\n").contains(
                "bad.yaml:2: http.control_socket = \"control.sock\": is not an absolute path"))
        let long = "/run/" + String(repeating: "x", count: 103)
        #expect(Self.rejection("http:\n  control_socket: \(long)\n").contains("http.control_socket = \"\(long)\": is 108 bytes long"))
        let dir = TemporaryDirectory()
        let loaded = try ConfigLoader.load(
            path: dir.write("socket.yaml", "http:\n  control_socket: /run/oht50-b/ctl.sock\n"), environment: [:], flags: [])
        #expect(loaded.config.http.controlSocket == "/run/oht50-b/ctl.sock")
        let again = try ConfigLoader.load(path: dir.write("effective.yaml", loaded.config.yaml), environment: [:], flags: [])
        #expect(again.config == loaded.config)
    }

    @Test("http.tls needs cert and key (client_ca optional, null allowed), allow_plain_token is a bool; both round-trip")
    func tlsSettings() throws {
        #expect(FirmwareConfig.defaults.http.tls == nil && FirmwareConfig.defaults.http.allowPlainToken == false)
        #expect(Self.rejection("http:\n  tls:\n    cert: /a.crt\n").contains("bad.yaml:3: http.tls.key: is missing"))
        #expect(Self.rejection("http:\n  tls:\n    cert: /a.crt\n    key: /a.key\n    pin: x\n").contains("http.tls.pin"))
        #expect(Self.rejection("http:\n  tls: /a.crt\n").contains("http.tls = \"/a.crt\": is a single value"))
        #expect(Self.rejection("http:\n  allow_plain_token: maybe\n").contains("http.allow_plain_token"))
        let dir = TemporaryDirectory()
        for text in [
            "http:\n  tls: {cert: /a.crt, key: /a.key, client_ca: null}\n  allow_plain_token: true\n",
            "http:\n  tls: {cert: /a.crt, key: /a.key, client_ca: /ca.crt}\n",
        ] {
            let loaded = try ConfigLoader.load(path: dir.write("tls.yaml", text), environment: [:], flags: [])
            #expect(loaded.config.http.tls?.cert == "/a.crt" && loaded.config.http.tls?.key == "/a.key")
            let again = try ConfigLoader.load(path: dir.write("effective.yaml", loaded.config.yaml), environment: [:], flags: [])
            #expect(again.config == loaded.config)
        }
    }

    @Test("empty values, quoted values and tags read as before: ~ is no value, \"10\" and !!str 10 are 10")
    func scalarsReadAsBefore() throws {
        let dir = TemporaryDirectory()
        for text in ["safety:\n  cycle_ms: \"10\"\n", "safety:\n  cycle_ms: !!str 10\n", "safety:\n  cycle_ms: '10'\n"] {
            #expect(try ConfigLoader.load(path: dir.write("ok.yaml", text), environment: [:], flags: []).config.safety.cycleMs == 10)
        }
        #expect(Self.rejection("safety:\n  cycle_ms: ~\n").contains("safety.cycle_ms: has no value"))
        #expect(try ConfigLoader.load(path: dir.write("empty.yaml", ""), environment: [:], flags: []).config == FirmwareConfig.defaults)
    }

    /// Issue 38 item 11 and 14: the unit's `WatchdogSec=600ms` is the backstop for a frozen RT thread; a
    /// stall time or bus dead time at or beyond it is refused, naming the key, its line and the watchdog.
    @Test("stall times at or beyond the service watchdog are refused naming the key and where the watchdog came from")
    func stallTimesBelowServiceWatchdog() throws {
        let dir = TemporaryDirectory()
        let unit = ServiceWatchdog(timeSpan: "600ms", source: "/lib/systemd/system/oht50-firmware.service")
        #expect(unit?.ns == 600_000_000)
        let path = dir.write("firmware.yaml", "safety:\n  max_stall_ms: 600\n")
        #expect {
            _ = try ConfigLoader.load(path: path, environment: [:], flags: [], watchdog: unit)
        } throws: { error in
            "\(error)".hasPrefix(
                "\(path):2: safety.max_stall_ms = \"600\": is not below the service's WatchdogSec=600ms "
                    + "(/lib/systemd/system/oht50-firmware.service)")
        }
        // The same file without a watchdog (run by hand, safe-off): accepted.
        #expect(try ConfigLoader.load(path: path, environment: [:], flags: []).config.safety.maxStallMs == 600)
        // Under systemd the daemon reads WATCHDOG_USEC; 599 ms passes.
        let environment = ["WATCHDOG_USEC": "600000", "OHT50_SAFETY_MAX_STALL_MS": "599"]
        let underUnit = try ConfigLoader.load(
            path: path, environment: environment, flags: [], watchdog: ServiceWatchdog(environment: environment))
        #expect(underUnit.config.safety.maxStallMs == 599)

        // A bus whose three silent transactions reach the watchdog: 3 × (200 + 2) ms.
        let bus = dir.write(
            "bus.yaml", "bus:\n  port: /dev/null\n  response_timeout_ms: 200\nmodules:\n  - {address: 2, type: power}\n")
        #expect {
            _ = try ConfigLoader.load(path: bus, environment: [:], flags: [], watchdog: unit)
        } throws: { error in
            "\(error)".hasPrefix("\(bus):3: bus.response_timeout_ms = \"200\": makes the bus thread's dead time 606 ms")
        }
        // A watchdog at the bus thread's floor: three of its 100 ms naps. No response timeout helps, and the
        // message says so instead of asking for one.
        let short = ServiceWatchdog(timeSpan: "300ms", source: "WATCHDOG_USEC")
        let quick = dir.write("quick.yaml", "bus:\n  port: /dev/null\nmodules:\n  - {address: 2, type: power}\n")
        #expect {
            _ = try ConfigLoader.load(path: quick, environment: [:], flags: [], watchdog: short)
        } throws: { error in
            "\(error)".contains("dead time 300 ms (three of the bus thread's 100 ms naps, which no setting shortens)")
                && "\(error)".hasSuffix("allowed: only a WatchdogSec= above 300 ms in a drop-in")
        }
        let shipped = try ConfigLoader.load(path: Self.repository + "/config/firmware.yaml", environment: [:], flags: [], watchdog: unit)
        #expect(SafetyTimings(shipped.config).busDeadNs == 300_000_000)
    }

    @Test("WatchdogSec= is read the way systemd writes time spans; 0 and infinity mean no watchdog")
    func watchdogTimeSpans() {
        let spans: [(String, UInt64?)] = [
            ("600ms", 600_000_000), ("1s", 1_000_000_000), ("2", 2_000_000_000), ("1min 30s", 90_000_000_000),
            ("1s 500ms", 1_500_000_000), ("500000us", 500_000_000), ("0", nil), ("infinity", nil), ("", nil), ("5 parsecs", nil),
            ("0.6s", 600_000_000), ("1.5min", 90_000_000_000), ("1.s", nil), ("99999999999999999999h", nil), ("9999999999h", nil),
        ]
        for (text, ns) in spans { #expect(ServiceWatchdog(timeSpan: text, source: "unit")?.ns == ns, "\(text)") }
        // Off, as systemd reads it, versus a value systemd skips (the one before it stays).
        for text in ["0", "0s", "0.0ms", "", "infinity"] { #expect(ServiceWatchdog.turnsOff(text), "\(text)") }
        for text in ["5 parsecs", "1.s", "600ms"] { #expect(!ServiceWatchdog.turnsOff(text), "\(text)") }
        #expect(ServiceWatchdog(environment: ["WATCHDOG_USEC": "600000"])?.description == "WatchdogSec=600ms (WATCHDOG_USEC)")
        #expect(ServiceWatchdog(environment: [:]) == nil)
    }
}

/// Issue 40, item 4: `/opt/oht50` is shared with the backend, and the runbook's `chown -R oht:oht
/// /opt/oht50/` hands it over; a config the backend's user can change would let it choose the E-stop line.
@Suite("Config loader: trusted files only")
struct TrustedConfigTests {
    func refusal(_ path: String) -> String? {
        do {
            _ = try ConfigLoader.load(path: path, environment: [:], flags: [])
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(
        "a config owned by another user, writable by others, or under such a directory or link target is refused naming it; root's loads",
        .enabled(if: geteuid() == 0, "chown needs root"))
    func untrustedRefused() throws {
        let nobody = uid_t(65534)
        let dir = TemporaryDirectory("oht50-trust")
        let config = dir.write("firmware.yaml", "log:\n  level: info\n")
        #expect(refusal(config) == nil)

        #expect(chown(config, nobody, gid_t(65534)) == 0)
        let owned = try #require(refusal(config))
        #expect(owned.contains("\(config) is owned by nobody (uid 65534)") && owned.contains("sudo chown root:root \(config)"), "\(owned)")
        #expect(chown(config, 0, 0) == 0)

        #expect(chmod(config, 0o646) == 0)
        let writable = try #require(refusal(config))
        #expect(writable.contains("\(config) (mode 0646) is writable by everybody") && writable.contains("sudo chmod go-w"), "\(writable)")
        #expect(chmod(config, 0o644) == 0)

        // A directory the other user owns: it could replace the file, whoever owns the file.
        let shared = dir.file("shared")
        #expect(mkdir(shared, 0o755) == 0)
        let inside = shared + "/firmware.yaml"
        #expect(FileManager.default.createFile(atPath: inside, contents: Data("{}\n".utf8)))
        #expect(chown(shared, nobody, gid_t(65534)) == 0)
        #expect(try #require(refusal(inside)).contains("\(shared) is owned by nobody"))
        // Reached through a link root owns, the target's directory is what counts.
        let link = dir.file("link.yaml")
        #expect(symlink(inside, link) == 0)
        #expect(try #require(refusal(link)).contains("\(shared) is owned by nobody"))
        #expect(chown(shared, 0, 0) == 0)
        #expect(refusal(link) == nil)

        // A chain of links: the directory a link in the middle passes through counts too (there the other
        // user could flip the next link between the check and the read).
        let fleet = dir.file("fleet")
        #expect(mkdir(fleet, 0o755) == 0)
        #expect(symlink(shared, fleet + "/current") == 0)
        let chained = dir.file("chained")
        #expect(symlink(fleet + "/current", chained) == 0)
        #expect(refusal(chained + "/firmware.yaml") == nil)
        #expect(chown(fleet, nobody, gid_t(65534)) == 0)
        #expect(try #require(refusal(chained + "/firmware.yaml")).contains("\(fleet) is owned by nobody"))
        #expect(chown(fleet, 0, 0) == 0)

        // An access ACL: the mode's group bits are then only its mask (root:root 0664 with u:nobody:rw).
        let setfacl = try ChildProcess(executable: "/usr/bin/setfacl", arguments: ["-m", "u:nobody:rw", config])
        #expect(setfacl.waitForExit() == 0, "\(setfacl.log)")
        #expect(try #require(refusal(config)).contains("\(config) has an access ACL"))
    }
}
