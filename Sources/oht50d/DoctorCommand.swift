import ArgumentParser
import FoundationEssentials
import OHT50Core
import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d doctor`: the vehicle's bring-up checks, one line each — ok / warn / fail, what was found, and
/// the command that fixes it. Reads only; safe beside a running daemon.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine against what the configuration needs (kernel, CPUs, limits, serial port, GPIO, data directory).",
        discussion: """
            Checks, in order: config, kernel (PREEMPT_RT), cpus (isolated CPUs and where the RT threads would \
            run), governor, idle-states, limits (the unit's RT priority, memlock and capabilities), serial-port \
            (present, not held), rs485-mode, serial-irq (the UART's interrupt thread above the bus thread on \
            PREEMPT_RT), gpio (each configured line: present, free or held by the daemon, direction), data-dir \
            (writable, free space). Nothing is changed: a running daemon is not disturbed.
            Exit codes: 0 every check ok, 1 warnings only, 2 any failure.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print the checks as JSON.")
    var json = false

    func run() throws {
        let checks = Doctor(config: loaded.config, configCheck: loaded.check).run()
        let worst = checks.map(\.status).max() ?? .ok
        let code: Int32 = worst == .ok ? 0 : worst == .warn ? 1 : 2
        if json {
            struct Report: Encodable {
                var result: DoctorCheck.Status
                var exitCode: Int32
                var checks: [DoctorCheck]
            }
            print(
                String(
                    decoding: try WireJSON.encoder(pretty: true).encode(Report(result: worst, exitCode: code, checks: checks)),
                    as: UTF8.self))
        } else {
            let width = checks.map(\.name.count).max() ?? 0
            for check in checks {
                let name = check.name.padded(to: width)
                print("\(check.status.rawValue.padded(to: 4)) \(name)  \(check.found)")
                if let fix = check.fix, check.status != .ok { print("     \(String(repeating: " ", count: width))  fix: \(fix)") }
            }
            let counts = [DoctorCheck.Status.ok, .warn, .fail].map { s in "\(checks.filter { $0.status == s }.count) \(s.rawValue)" }
            print("doctor: \(counts.joined(separator: ", ")) → exit \(code)")
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// The configuration to check against, and the check of the configuration itself. A file that does
    /// not load is a failure; the other checks then use the built-in defaults, and say so.
    private var loaded: (config: FirmwareConfig, check: DoctorCheck) {
        do {
            let result = try ConfigLoader.load(path: options.config, environment: ProcessInfo.processInfo.environment, flags: [])
            let source = result.path ?? "built-in defaults (no \(ConfigLoader.defaultPath))"
            let overrides = result.overrides.isEmpty ? "" : "; overrides: \(result.overrides.joined(separator: ", "))"
            return (result.config, DoctorCheck(name: "config", status: .ok, found: "\(source): valid\(overrides)"))
        } catch {
            return (
                FirmwareConfig.defaults,
                DoctorCheck(
                    name: "config", status: .fail, found: "\(error) (the checks below use the built-in defaults)",
                    fix: "fix the file; `oht50d check-config --config PATH` shows the effective values")
            )
        }
    }
}
