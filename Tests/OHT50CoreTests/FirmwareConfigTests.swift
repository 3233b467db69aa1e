import Testing

@testable import OHT50Core

/// Builds config trees the way the YAML loader does, with line numbers, without a YAML parser.
private func doc(_ entries: [(String, ConfigNode)]) -> ConfigNode {
    .mapping(entries.map { ConfigEntry(key: $0.0, value: $0.1) }, .file(path: "f.yaml", line: 1))
}
private func map(_ entries: [(String, ConfigNode)], line: Int = 2) -> ConfigNode {
    .mapping(entries.map { ConfigEntry(key: $0.0, value: $0.1) }, .file(path: "f.yaml", line: line))
}
private func v(_ s: String, line: Int = 3) -> ConfigNode { .scalar(s, .file(path: "f.yaml", line: line)) }

@Suite("Firmware config")
struct FirmwareConfigTests {
    @Test("an empty document gives DESIGN's vehicle defaults; an empty module list runs without a bus")
    func emptyDocumentIsDefaults() throws {
        let c = try FirmwareConfig.decode(doc([]))
        #expect([c.safety.cycleMs, c.safety.motionLeaseMs] == [1, 300])
        #expect(c.estop.backend == .sysfs && c.estop.sysfsPath == "/sys/class/gpio/gpio59/value" && c.estop.activeLow)
        #expect(c.estop.chip == "gpiochip1" && c.estop.line == 27)
        #expect(
            c.outputs.motionEnable
                == OutputLineSettings(backend: .sysfs, chip: "gpiochip4", line: 3, sysfsPath: "/sys/class/gpio/gpio131/value"))
        #expect(c.bus.port == "/dev/ttyOHT485" && c.bus.baud == 115_200 && c.bus.parity == .none)
        #expect(c.bus.responseTimeoutMs == 20)
        #expect(
            c.modules.map { "\($0.type.rawValue)@\($0.address) required=\($0.required)" } == [
                "power@2 required=true", "motor@3 required=true",
            ])
        #expect(c.http.bind == "127.0.0.1" && c.http.port == 8081)
        #expect(c.storage.dataDir == "/opt/oht50/data")
        let noBus = try FirmwareConfig.decode(doc([("modules", .sequence([], .builtIn))]))
        #expect(noBus.modules.isEmpty)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var node: ConfigNode
        var key: String
        var value: String?
        var allowedContains: String
        var testDescription: String { "\(key) = \(value ?? "-")" }
    }

    static let badCases: [BadCase] = [
        BadCase(node: doc([("safety", map([("cycle_ms", v("0"))]))]), key: "safety.cycle_ms", value: "0", allowedContains: "1 to 100"),
        BadCase(node: doc([("safety", map([("cycle_ms", v("fast"))]))]), key: "safety.cycle_ms", value: "fast", allowedContains: "integer"),
        BadCase(
            node: doc([("safety", map([("cycle_msx", v("1"))]))]), key: "safety.cycle_msx", value: nil,
            allowedContains: "cycle_ms, reset_release_ms"),
        BadCase(
            node: doc([("safety", map([("cycle_ms", v("10")), ("max_stall_ms", v("15"))]))]), key: "safety.max_stall_ms", value: "15",
            allowedContains: "2 × safety.cycle_ms"),
        BadCase(
            node: doc([("estop", map([("backend", v("gpio"))]))]), key: "estop.backend", value: "gpio",
            allowedContains: "one of gpiod, sysfs"),
        BadCase(
            node: doc([("estop", map([("backend", v("simulated"))]))]), key: "estop.backend", value: "simulated",
            allowedContains: "one of gpiod, sysfs"),
        BadCase(
            node: doc([("outputs", map([("motion_enable", map([("backend", v("simulated"))]))]))]), key: "outputs.motion_enable.backend",
            value: "simulated", allowedContains: "one of gpiod, sysfs"),
        BadCase(
            node: doc([("estop", map([("active_low", v("yes"))]))]), key: "estop.active_low", value: "yes", allowedContains: "true or false"
        ),
        BadCase(
            node: doc([("outputs", map([("motion_enable", .null(.file(path: "f.yaml", line: 4)))]))]), key: "outputs.motion_enable",
            value: nil, allowedContains: "an output line"),
        BadCase(
            node: doc([("outputs", map([("heartbeat", map([("backend", v("gpiod"))]))]))]), key: "outputs.heartbeat", value: nil,
            allowedContains: "chip"),
        BadCase(
            node: doc([("outputs", map([("leds", map([("blue", map([]))]))]))]), key: "outputs.leds.blue", value: nil,
            allowedContains: "power, system, comm, network, error"),
        BadCase(node: doc([("bus", map([("baud", v("115201"))]))]), key: "bus.baud", value: "115201", allowedContains: "115200"),
        BadCase(
            node: doc([("bus", map([("port", v("tcp://gateway"))]))]), key: "bus.port", value: "tcp://gateway",
            allowedContains: "tcp://HOST:PORT"),
        BadCase(
            node: doc([("bus", map([])), ("modules", .sequence([map([("address", v("0")), ("type", v("power"))])], .builtIn))]),
            key: "modules[0].address", value: "0", allowedContains: "1 to 247"),
        BadCase(
            node: doc([
                ("bus", map([])),
                (
                    "modules",
                    .sequence(
                        [map([("address", v("2")), ("type", v("power"))]), map([("address", v("2")), ("type", v("motor"))])], .builtIn)
                ),
            ]), key: "modules[1].address", value: "2", allowedContains: "each address once"),
        BadCase(
            node: doc([("bus", map([])), ("modules", .sequence([map([("address", v("3")), ("type", v("servo"))])], .builtIn))]),
            key: "modules[0].type", value: "servo", allowedContains: "power, motor"),
        BadCase(node: doc([("http", map([("port", v("65536"))]))]), key: "http.port", value: "65536", allowedContains: "0 to 65535"),
        BadCase(
            node: doc([("cpu", map([("safety", v("3-1"))]))]), key: "cpu.safety", value: "3-1", allowedContains: "auto, none, or a CPU list"
        ),
        BadCase(
            node: doc([("cpu", map([("async", v("all"))]))]), key: "cpu.async", value: "all", allowedContains: "auto, none, or a CPU list"),
        BadCase(node: doc([("log", map([("level", v("loud"))]))]), key: "log.level", value: "loud", allowedContains: "trace, debug, info"),
        BadCase(node: doc([("extra", v("1"))]), key: "extra", value: nil, allowedContains: "safety, estop, outputs"),
        BadCase(node: doc([("safety", v("1"))]), key: "safety", value: "1", allowedContains: "mapping"),
    ]

    @Test("bad values and unknown keys are errors naming origin, key, value and what is allowed", arguments: badCases)
    func rejects(c: BadCase) {
        do {
            _ = try FirmwareConfig.decode(c.node)
            Issue.record("accepted \(c.key)")
        } catch let error as ConfigError {
            #expect(error.key == c.key)
            #expect(error.value == c.value)
            #expect(error.allowed.contains(c.allowedContains), "allowed was: \(error.allowed)")
            #expect(error.description.hasPrefix("f.yaml:") || error.description.hasPrefix("built-in"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("modules decode with per-type defaults")
    func modules() throws {
        let config = try FirmwareConfig.decode(
            doc([
                ("bus", map([])),
                (
                    "modules",
                    .sequence(
                        [
                            map([("address", v("2")), ("type", v("power"))]),
                            map([("address", v("3")), ("type", v("motor")), ("poll_ms", v("20"))]),
                            map([("address", v("4")), ("type", v("io")), ("required", v("true"))]),
                        ], .builtIn)
                ),
            ]))
        #expect(
            config.modules == [
                ModuleSettings(address: 2, type: .power, pollMs: 100, required: true),
                ModuleSettings(address: 3, type: .motor, pollMs: 20, required: true),
                ModuleSettings(address: 4, type: .io, pollMs: 200, required: true),
            ])
    }

    @Test(
        "one line, one role: a feedback on motion-enable itself, an E-stop channel on an output, two inputs on one line are refused naming both keys",
        arguments: [
            (
                [
                    (
                        "outputs",
                        map([
                            (
                                "motion_enable",
                                map([("sysfs_path", v("/x/gpio131/value")), ("feedback", map([("sysfs_path", v("/x/gpio131/value"))]))])
                            )
                        ])
                    )
                ],
                "outputs.motion_enable", "outputs.motion_enable.feedback"
            ),
            (
                [
                    ("estop", map([("sysfs_path", v("/x/gpio59/value"))])),
                    ("outputs", map([("heartbeat", map([("sysfs_path", v("/x/gpio59/value"))]))])),
                ], "outputs.heartbeat", "estop"
            ),
            (
                [
                    (
                        "estop",
                        map([
                            (
                                "channels",
                                .sequence(
                                    [
                                        map([("backend", v("gpiod")), ("chip", v("/dev/gpiochip1")), ("line", v("27"))]),
                                        map([("backend", v("gpiod")), ("chip", v("gpiochip1")), ("line", v("28"))]),
                                    ], .builtIn)
                            )
                        ])
                    ),
                    (
                        "outputs",
                        map([
                            (
                                "motion_enable",
                                map([
                                    ("backend", v("gpiod")), ("chip", v("gpiochip4")), ("line", v("3")),
                                    ("feedback", map([("backend", v("gpiod")), ("chip", v("gpiochip1")), ("line", v("28"))])),
                                ])
                            )
                        ])
                    ),
                ], "outputs.motion_enable.feedback", "estop.channels[1]"
            ),
        ])
    func lineRoles(entries: [(String, ConfigNode)], key: String, other: String) {
        do {
            _ = try FirmwareConfig.decode(doc(entries))
            Issue.record("accepted a line in two roles")
        } catch let error as ConfigError {
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains("the line \(other) already uses"), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("the shipped defaults and a vehicle with two channels and a feedback on lines of their own pass the one-line-one-role check")
    func lineRolesDistinct() throws {
        _ = try FirmwareConfig.decode(doc([]))
        _ = try FirmwareConfig.decode(
            doc([
                (
                    "estop",
                    map([
                        (
                            "channels",
                            .sequence([map([("sysfs_path", v("/x/gpio59/value"))]), map([("sysfs_path", v("/x/gpio60/value"))])], .builtIn)
                        )
                    ])
                ),
                (
                    "outputs",
                    map([
                        (
                            "motion_enable",
                            map([("sysfs_path", v("/x/gpio131/value")), ("feedback", map([("sysfs_path", v("/x/gpio61/value"))]))])
                        )
                    ])
                ),
            ]))
    }

    @Test("host_watchdog_ms counts every module and the bus timeout: the recipe of issue 38 (20 ms, poll 10) is refused, 300 accepted")
    func hostWatchdogAmongModules() throws {
        func config(_ watchdog: String, timeout: String = "20") throws -> FirmwareConfig {
            try FirmwareConfig.decode(
                doc([
                    ("bus", map([("response_timeout_ms", v(timeout))])),
                    (
                        "modules",
                        .sequence(
                            [
                                map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v(watchdog))]),
                                map([("address", v("2")), ("type", v("power"))]),
                            ], .builtIn)
                    ),
                ]))
        }
        // 10 + 3 × 22 = 76 ms; three of them 228.
        #expect(try config("300").modules.first?.hostWatchdogMs == 300)
        #expect(try config("228").modules.count == 2)
        #expect(throws: ConfigError.self) { try config("227") }
        #expect(throws: ConfigError.self) { try config("20") }
        // A slower bus timeout raises the bound: 10 + 3 × 102 = 316 ms, three of them 948.
        do {
            _ = try config("300", timeout: "100")
            Issue.record("accepted 300 ms with a 100 ms response timeout")
        } catch let error as ConfigError {
            #expect(error.description.contains("modules[0].host_watchdog_ms"), "\(error)")
            #expect(error.description.contains("948–60000"), "\(error)")
        }
    }

    @Test(
        "host_watchdog_ms: a drive's, 0 by default, at least three worst gaps between writes; on another module type it is refused naming why"
    )
    func hostWatchdog() throws {
        func modules(_ entries: [ConfigNode]) throws -> [ModuleSettings] {
            try FirmwareConfig.decode(doc([("modules", .sequence(entries, .builtIn))])).modules
        }
        #expect(try modules([map([("address", v("3")), ("type", v("motor"))])]).first?.hostWatchdogMs == 0)
        #expect(
            try modules([map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v("200"))])]).first?.hostWatchdogMs == 200)
        // Alone on the bus: 10 ms poll + 2 × (20 ms timeout + 2 ms gap) = 54 ms; three of them 162.
        #expect(try modules([map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v("162"))])]).count == 1)
        let cases: [(ConfigNode, String)] = [
            (map([("address", v("2")), ("type", v("power")), ("host_watchdog_ms", v("200"))]), "a power module has none"),
            (map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v("20"))]), "three times the longest gap"),
            (map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v("161"))]), "(54 ms: poll_ms 10"),
            (map([("address", v("3")), ("type", v("motor")), ("host_watchdog_ms", v("70000"))]), "60000"),
        ]
        for (entry, says) in cases {
            do {
                _ = try modules([entry])
                Issue.record("accepted \(entry)")
            } catch let error as ConfigError {
                #expect(error.description.contains("modules[0].host_watchdog_ms"), "\(error)")
                #expect(error.description.contains(says), "\(error)")
            }
        }
    }

    @Test("a value set over the tree replaces the file's value and keeps its origin for errors")
    func overlay() throws {
        let base = doc([("http", map([("port", v("8081"))]))])
        let overlaid = base.setting(["http", "port"], to: .scalar("x", .environment(variable: "OHT50_HTTP_PORT")))
            .setting(["safety", "cycle_ms"], to: .scalar("2", .flag("--test")))
        #expect(throws: ConfigError.self) { try FirmwareConfig.decode(overlaid) }
        do {
            _ = try FirmwareConfig.decode(overlaid)
        } catch let error as ConfigError {
            // The origin kept; the value not printed, as it came from the environment (issue 40).
            #expect(error.description.hasPrefix("environment variable OHT50_HTTP_PORT: http.port (value not shown"))
            #expect(error.value == "x")
        }
        let good = base.setting(["http", "port"], to: .scalar("9000", .builtIn)).setting(
            ["safety", "cycle_ms"], to: .scalar("2", .builtIn))
        let config = try FirmwareConfig.decode(good)
        #expect(config.http.port == 9000)
        #expect(config.safety.cycleMs == 2)
    }

    @Test("every environment key maps to an OHT50_ variable")
    func environmentNames() {
        #expect(FirmwareConfig.environmentVariable(forKey: "safety.cycle_ms") == "OHT50_SAFETY_CYCLE_MS")
        #expect(FirmwareConfig.environmentVariable(forKey: "outputs.motion_enable.sysfs_path") == "OHT50_OUTPUTS_MOTION_ENABLE_SYSFS_PATH")
        #expect(
            Set(FirmwareConfig.environmentKeys.map(FirmwareConfig.environmentVariable(forKey:))).count
                == FirmwareConfig.environmentKeys.count)
    }
}
