import Foundation
import Synchronization

/// The real `oht50d` binary run as a child process, its output collected for assertions. Whatever a
/// test does, the process is killed when the value goes away.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    private let output = OutputBuffer()

    private final class OutputBuffer: Sendable {
        let text = Mutex("")
    }

    /// The `oht50d` built next to the test bundle (`swift build` puts products and tests together).
    public static var binaryPath: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("oht50d")
    }

    /// - Parameter launcher: a command that runs the daemon, e.g. `setpriv` to drop privileges.
    public init(arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws {
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(launcher.dropFirst()) + [Self.binaryPath] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binaryPath)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OHT50_") && $0.key != "JOURNAL_STREAM" }
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if !data.isEmpty { output.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything the daemon wrote to stdout and stderr so far.
    public var log: String { output.text.withLock { $0 } }

    /// Waits until the log contains `text`; false if the deadline passed or the process died first.
    public func waitForLog(_ text: String, timeout: Duration = .seconds(30)) -> Bool {
        eventually(timeout: timeout) { log.contains(text) || !process.isRunning } && log.contains(text)
    }

    /// The HTTP port from the "HTTP listening … port=N" line; nil if it never came.
    public func httpPort(timeout: Duration = .seconds(30)) -> Int? {
        guard waitForLog("msg=\"HTTP listening\"", timeout: timeout) else { return nil }
        let line = log.split(separator: "\n").first { $0.contains("msg=\"HTTP listening\"") } ?? ""
        guard let range = line.range(of: "port=") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Waits for the process to exit by itself; returns its status, or nil if it is still running.
    public func waitForExit(timeout: Duration = .seconds(30)) -> Int32? {
        guard eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then the exit status (nil if it did not exit in time).
    public func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return waitForExit(timeout: timeout)
    }

    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
