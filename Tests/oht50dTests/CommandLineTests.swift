import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("oht50d command line")
    struct CommandLineTests {
        @Test("a bad config exits 78 naming file, line, key, value and what is allowed")
        func badConfigExits78() throws {
            let dir = TemporaryDirectory()
            let path = dir.write("firmware.yaml", "safety:\n  cycle_ms: 1\nhttp:\n  port: eighty\n")
            let daemon = try ChildProcess.oht50d(arguments: [
                "--config", path, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
            ])
            #expect(daemon.waitForExit() == 78)
            #expect(daemon.log.contains("\(path):4: http.port = \\\"eighty\\\": is not an integer; allowed: an integer from 0 to 65535"))
        }

        @Test("an unknown key exits 78 from check-config too, and a good file prints the effective config")
        func checkConfig() throws {
            let dir = TemporaryDirectory()
            let bad = dir.write("bad.yaml", "estop:\n  sysfs_pth: /x\n")
            let rejected = try ChildProcess.oht50d(arguments: ["check-config", "--config", bad])
            #expect(rejected.waitForExit() == 78)
            #expect(
                rejected.log.contains("\(bad):2: estop.sysfs_pth: is not a known key; allowed: backend, chip, line, sysfs_path, active_low")
            )

            let good = dir.write("good.yaml", "safety:\n  cycle_ms: 2\n")
            let accepted = try ChildProcess.oht50d(arguments: ["check-config", "--config", good], environment: ["OHT50_HTTP_PORT": "9090"])
            #expect(accepted.waitForExit() == 0)
            #expect(accepted.log.contains("cycle_ms: 2"))
            #expect(accepted.log.contains("port: 9090"))
            #expect(accepted.log.contains("# override: OHT50_HTTP_PORT → http.port"))
        }

        @Test("check-config refuses a stall time beyond the unit's WatchdogSec= (and its drop-ins); run refuses it under WATCHDOG_USEC")
        func stallTimeBeyondUnitWatchdog() throws {
            let dir = TemporaryDirectory()
            let unit = dir.write("oht50-firmware.service", "[Service]\nWatchdogSec=600ms\n")
            let config = dir.write("firmware.yaml", "safety:\n  max_stall_ms: 700\n")
            let refused = try ChildProcess.oht50d(arguments: ["check-config", "--config", config, "--unit", unit])
            #expect(refused.waitForExit() == 78)
            #expect(
                refused.log.contains("\(config):2: safety.max_stall_ms = \"700\": is not below the service's WatchdogSec=600ms (\(unit))"))
            let longer = dir.write("longer.service", "[Service]\nWatchdogSec=600ms\nWatchdogSec=1s\n")
            let accepted = try ChildProcess.oht50d(arguments: ["check-config", "--config", config, "--unit", longer])
            #expect(accepted.waitForExit() == 0)
            #expect(accepted.log.contains("# stall times checked against WatchdogSec=1s (\(longer))"))
            // Spaces around '=' are systemd's too; a value systemd would not take is skipped, not read as "off".
            let spaced = dir.write("spaced.service", "[Service]\nWatchdogSec = 600ms\nWatchdogSec=5 parsecs\n")
            let spacedRefused = try ChildProcess.oht50d(arguments: ["check-config", "--config", config, "--unit", spaced])
            #expect(spacedRefused.waitForExit() == 78)
            #expect(spacedRefused.log.contains("is not below the service's WatchdogSec=600ms (\(spaced))"))
            let missing = try ChildProcess.oht50d(arguments: ["check-config", "--config", config, "--unit", dir.file("nowhere.service")])
            #expect(missing.waitForExit() == 78)
            #expect(missing.log.contains("--unit \(dir.file("nowhere.service")): no readable unit file there"))

            // The daemon under the unit: systemd hands it WATCHDOG_USEC; it stops before touching the vehicle.
            let daemon = try ChildProcess.oht50d(
                arguments: [
                    "run", "--simulate", "--config", config, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
                    "--http-port", "0",
                ], environment: ["WATCHDOG_USEC": "600000"])
            #expect(daemon.waitForExit() == 78)
            #expect(daemon.log.contains("safety.max_stall_ms = \\\"700\\\": is not below the service's WatchdogSec=600ms (WATCHDOG_USEC)"))
        }

        /// Issue 26: `backend: simulated` used to be accepted from a file or the environment, leaving an
        /// E-stop that always reads released, a doctor that said ok and a safe-off that touched nothing.
        @Test("a simulated backend outside --simulate exits 78 naming the key, from a file and from OHT50_ESTOP_BACKEND; doctor fails it")
        func simulatedBackendOnlyUnderSimulate() throws {
            let dir = TemporaryDirectory()
            let file = dir.write("firmware.yaml", "outputs:\n  motion_enable: {backend: simulated}\n")
            let fromFile = try ChildProcess.oht50d(arguments: [
                "--config", file, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
            ])
            #expect(fromFile.waitForExit() == 78)
            #expect(
                fromFile.log.contains("\(file):2: outputs.motion_enable.backend = \\\"simulated\\\": exists only under oht50d --simulate"))

            let plain = dir.write("plain.yaml", "modules: []\n")
            let fromEnvironment = try ChildProcess.oht50d(
                arguments: ["check-config", "--config", plain], environment: ["OHT50_ESTOP_BACKEND": "simulated"])
            #expect(fromEnvironment.waitForExit() == 78)
            #expect(fromEnvironment.log.contains("OHT50_ESTOP_BACKEND"))
            #expect(fromEnvironment.log.contains("estop.backend"))
            #expect(fromEnvironment.log.contains("allowed: one of gpiod, sysfs"))

            let doctor = try ChildProcess.oht50d(arguments: ["doctor", "--config", file, "--json"])
            #expect(doctor.waitForExit() == 2)
        }

        @Test(
            "export-gpio: plain files are left alone (exit 0); the vehicle's sysfs lines on a kernel without GPIO sysfs exit 69 naming each"
        )
        func exportGPIO() throws {
            let dir = TemporaryDirectory()
            let estop = dir.write("gpio59/value", "1\n")
            let plain = dir.write(
                "plain.yaml", "estop: {sysfs_path: \"\(estop)\"}\noutputs: {motion_enable: {sysfs_path: \"\(dir.file("m"))\"}}\n")
            let left = try ChildProcess.oht50d(arguments: ["export-gpio", "--config", plain])
            #expect(left.waitForExit() == 0, "\(left.log)")
            // Named like a kernel line (…/gpio59/value), but not under /sys/class/gpio: untouched.
            #expect(left.log.contains("\(estop) is not a /sys/class/gpio/gpioN/value file: left as it is"), "\(left.log)")
            #expect(dir.read("gpio59/value") == "1\n")

            // The built-in vehicle defaults name /sys/class/gpio/gpio59 and gpio131; this machine has no GPIO sysfs.
            let vehicle = dir.write("vehicle.yaml", "modules: []\n")
            let missing = try ChildProcess.oht50d(arguments: ["export-gpio", "--config", vehicle])
            #expect(missing.waitForExit() == 69)
            #expect(missing.log.contains("E-stop input (estop.sysfs_path): /sys/class/gpio/export"), "\(missing.log)")
            #expect(missing.log.contains("outputs.motion_enable: /sys/class/gpio/export"))
            #expect(missing.log.contains("CONFIG_GPIO_SYSFS"))
        }

        /// Issue 30: the package ships one binary; rs485-probe and oht50-sim are links to it.
        @Test("one binary: called through a link named rs485-probe or oht50-sim it is that command, with its own help and exit codes")
        func multiCall() throws {
            let dir = TemporaryDirectory()
            for name in ["rs485-probe", "oht50-sim"] {
                try FileManager.default.createSymbolicLink(atPath: dir.file(name), withDestinationPath: ChildProcess.productPath("oht50d"))
            }
            let probe = try ChildProcess(executable: dir.file("rs485-probe"), arguments: ["--help"])
            #expect(probe.waitForExit() == 0)
            #expect(probe.log.contains("The bench tool for the OHT-50 RS485 bus"), "\(probe.log)")
            let usage = try ChildProcess(executable: dir.file("rs485-probe"), arguments: ["read", "--addr", "300"])
            #expect(usage.waitForExit() == 2, "rs485-probe's usage errors exit 2: \(usage.log)")
            let sim = try ChildProcess(executable: dir.file("oht50-sim"), arguments: ["--modules", "pump@2"])
            #expect(sim.waitForExit() == 2, "\(sim.log)")
            #expect(sim.log.contains("oht50-sim:"), "\(sim.log)")
            let daemon = try ChildProcess.oht50d(arguments: ["--version"])
            #expect(daemon.waitForExit() == 0)
            #expect(daemon.log.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0" || daemon.log.contains("."), "\(daemon.log)")
        }

        /// Swift reads the arguments through /proc: without it (a rescue chroot) they read as none, which
        /// was `oht50d run` — `rs485-probe --help` started the daemon. Shown in a mount namespace of its
        /// own with /proc unmounted (root only).
        @Test(
            "without /proc the command line cannot be read: every program name refuses with exit 2, and nothing runs",
            .enabled(if: geteuid() == 0))
        func noProcRefuses() throws {
            let dir = TemporaryDirectory()
            try FileManager.default.createSymbolicLink(
                atPath: dir.file("rs485-probe"), withDestinationPath: ChildProcess.productPath("oht50d"))
            for (program, arguments) in [(ChildProcess.productPath("oht50d"), ["check-config"]), (dir.file("rs485-probe"), ["--help"])] {
                let run = try ChildProcess(
                    executable: "/usr/bin/unshare",
                    arguments: ["--mount", "--propagation", "private", "sh", "-c", "umount -l /proc && exec \"$0\" \"$@\"", program]
                        + arguments)
                #expect(run.waitForExit() == 2, "\(run.log)")
                #expect(run.log.contains("the command line cannot be read (is /proc mounted?"), "\(run.log)")
                #expect(!run.log.contains("configuration loaded"), "the daemon must not start: \(run.log)")
            }
        }

        @Test("a missing E-stop file is waited for, startup.device_wait_ms, then exits 69 naming it and how long it waited")
        func missingEStopExits69() throws {
            let dir = TemporaryDirectory()
            // An output that is there, left on: the wait turns it off (the inputs are opened first, so
            // the vehicle's own open never reaches it).
            let motion = dir.write("gpio131/value", "1\n")
            let path = dir.write(
                "firmware.yaml",
                "estop:\n  sysfs_path: \(dir.file("gpio59/value"))\noutputs: {motion_enable: {sysfs_path: \(motion)}}\n"
                    + "startup: {device_wait_ms: 1000}\n")
            let daemon = try ChildProcess.oht50d(arguments: [
                "--config", path, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
            ])
            #expect(daemon.waitForExit() == 69)
            #expect(daemon.log.contains("E-stop input (estop.sysfs_path): \(dir.file("gpio59/value"))"))
            #expect(daemon.log.contains("waiting for a device (for up to "), "\(daemon.log)")
            #expect(try String(contentsOfFile: motion, encoding: .utf8) == "0\n", "\(daemon.log)")
            // It gave up no sooner than the bound.
            let waited = daemon.log.components(separatedBy: "hardware missing (waited ").dropFirst().first?.prefix { $0 != " " }
            #expect(waited.flatMap { Double($0) }.map { $0 >= 1.0 } == true, "\(daemon.log)")
        }

        @Test("a gpiod E-stop on a chip that does not exist exits 69 naming the chip and what to check")
        func missingGPIOChipExits69() throws {
            let dir = TemporaryDirectory()
            let path = dir.write("firmware.yaml", "estop:\n  backend: gpiod\n  chip: gpiochip1\n  line: 27\nstartup: {device_wait_ms: 0}\n")
            let daemon = try ChildProcess.oht50d(arguments: [
                "--config", path, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
            ])
            #expect(daemon.waitForExit() == 69)
            #expect(daemon.log.contains("E-stop input (estop.chip, estop.line): gpiochip1: no such GPIO chip"))
            #expect(daemon.log.contains("gpiodetect"))
        }

        @Test(
            "a gpiod output this user may not open exits 69 saying to check group gpio",
            .enabled(if: getuid() == 0, "needs root to drop to nobody"))
        func unreadableGPIOChipExits69() throws {
            // The config where only root can change it (a world-writable directory above it is refused), the
            // data directory where nobody can write.
            let config = TemporaryDirectory()
            let dir = TemporaryDirectory()
            let estop = config.write("gpio59/value", "1\n")
            let chip = config.write("gpiochip4", "")
            let path = config.write(
                "firmware.yaml",
                "estop:\n  sysfs_path: \(estop)\noutputs:\n  motion_enable:\n    backend: gpiod\n    chip: \(chip)\n    line: 3\n"
                    + "startup: {device_wait_ms: 0}\n")
            chmod(config.path, 0o755)
            dir.makeWorldWritable()
            chmod(chip, 0o600)
            let daemon = try ChildProcess.oht50d(
                arguments: ["--config", path, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock")],
                launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
            #expect(daemon.waitForExit() == 69)
            #expect(daemon.log.contains("motion-enable output (outputs.motion_enable): \(chip)"))
            #expect(daemon.log.contains("Permission denied"))
            #expect(daemon.log.contains("group gpio"))
        }

        @Test("the RT threads carry their names, so ps -L and top -H tell them apart")
        func threadNames() throws {
            let dir = TemporaryDirectory()
            let daemon = try ChildProcess.oht50d(arguments: ["--simulate", "--data-dir", dir.file("data"), "--http-port", "0"])
            #expect(daemon.httpPort() != nil)
            let tasks = "/proc/\(daemon.process.processIdentifier)/task"
            let names = try FileManager.default.contentsOfDirectory(atPath: tasks).compactMap {
                try? String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(names.contains("oht50-safety"))
            #expect(names.contains("oht50-bus"))
            #expect(daemon.terminate() == 0)
        }

        @Test("a missing motion-enable output exits 69 naming it")
        func missingOutputExits69() throws {
            let dir = TemporaryDirectory()
            let estop = dir.write("gpio59/value", "1\n")
            let path = dir.write(
                "firmware.yaml",
                "estop:\n  sysfs_path: \(estop)\noutputs:\n  motion_enable:\n    sysfs_path: \(dir.file("gpio131/value"))\n"
                    + "startup: {device_wait_ms: 0}\n")
            let daemon = try ChildProcess.oht50d(arguments: [
                "--config", path, "--data-dir", dir.file("data"), "--control-socket", dir.file("control.sock"),
            ])
            #expect(daemon.waitForExit() == 69)
            #expect(daemon.log.contains("motion-enable output (outputs.motion_enable)"))
        }

        @Test("a port already in use is a clear failure, and a motion-enable line left on ends off")
        func portInUse() throws {
            let dir = TemporaryDirectory()
            let first = try ChildProcess.oht50d(arguments: ["--simulate", "--data-dir", dir.file("a"), "--http-port", "0"])
            let port = try #require(first.httpPort())
            // As a sysfs line keeps it after a crashed daemon: on.
            let estop = dir.write("gpio59/value", "1\n")
            let motion = dir.write("gpio131/value", "1\n")
            let config = dir.write(
                "firmware.yaml", "estop:\n  sysfs_path: \(estop)\noutputs:\n  motion_enable:\n    sysfs_path: \(motion)\nmodules: []\n")
            let second = try ChildProcess.oht50d(arguments: [
                "--config", config, "--data-dir", dir.file("b"), "--http-port", "\(port)", "--control-socket", dir.file("b.sock"),
            ])
            #expect(second.waitForExit() == 1)
            #expect(second.log.contains("level=error"))
            #expect(dir.read("gpio131/value") == "0\n")
            #expect(first.terminate() == 0)
        }

        @Test(
            "without RT rights it runs SCHED_OTHER, says so once, and health reports rt: false",
            .enabled(if: getuid() == 0, "needs root to start the daemon as an unprivileged user"))
        func realtimeRefused() throws {
            let dir = TemporaryDirectory()
            dir.makeWorldWritable()
            let daemon = try ChildProcess.oht50d(
                arguments: ["--simulate", "--data-dir", dir.file("data"), "--http-port", "0"],
                launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
            let port = try #require(daemon.httpPort(), "log:\n\(daemon.log)")
            let health = try DaemonClient(port: port).get("/health/detailed").json
            #expect(health["rt"] as? Bool == false)
            // (Under ASan mlockall is a no-op that succeeds: the daemon cannot know.)
            #expect(health["memory_locked"] as? Bool == false || runningUnderAddressSanitizer)
            #expect((health["safety_loop"] as? [String: Any])?["policy"] as? String == "SCHED_OTHER")
            #expect(daemon.log.components(separatedBy: "SCHED_FIFO refused").count == 2)
            #expect(eventually { (try? DaemonClient(port: port).get("/api/v1/safety/status").json["state"] as? String) == "latched" })
            #expect(daemon.terminate() == 0)
        }

        @Test("with JOURNAL_STREAM set every line carries a <N> syslog priority, so journalctl -p err filters")
        func journalPriorities() throws {
            let dir = TemporaryDirectory()
            let bad = dir.write("firmware.yaml", "http:\n  port: eighty\n")
            let rejected = try ChildProcess.oht50d(arguments: ["--config", bad], environment: ["JOURNAL_STREAM": "8:12345"])
            #expect(rejected.waitForExit() == 78)
            #expect(rejected.log.contains("<3>level=error msg=\"configuration rejected:"))

            let daemon = try ChildProcess.oht50d(
                arguments: ["--simulate", "--data-dir", dir.file("data"), "--http-port", "0"], environment: ["JOURNAL_STREAM": "8:12345"])
            #expect(daemon.httpPort() != nil)
            let lines = daemon.log.split(separator: "\n").filter { $0.contains("level=") }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0.hasPrefix("<") && !$0.contains("ts=") })
            #expect(lines.contains { $0.hasPrefix("<5>level=notice") })
            #expect(daemon.terminate() == 0)
        }
    }
}
