import Foundation
import Synchronization

/// A real process (`oht50d`, `oht50-sim`, a peer tool) run as a child, its output collected for
/// assertions and its stdin open for commands. Whatever a test does, the process is killed when the
/// value goes away.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let output = OutputBuffer()

    private final class OutputBuffer: Sendable {
        let text = Mutex("")
        /// A read from the pipe is under way and its bytes may not be in `text` yet.
        let reading = Atomic(false)
    }

    private let outputFD: Int32

    private let input = Pipe()

    /// A product built next to the test bundle (`swift build` puts products and tests together).
    public static func productPath(_ name: String) -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// The repository, for scripts under tools/.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The daemon under test.
    public static func oht50d(arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws -> ChildProcess {
        try ChildProcess(executable: productPath("oht50d"), arguments: arguments, environment: environment, launcher: launcher)
    }

    /// - Parameter launcher: a command that runs the executable, e.g. `setpriv` to drop privileges.
    public init(executable: String, arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws {
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(launcher.dropFirst()) + [executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardInput = input
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OHT50_") && $0.key != "JOURNAL_STREAM" }
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        outputFD = pipe.fileHandleForReading.fileDescriptor
        pipe.fileHandleForReading.readabilityHandler = { [output] handle in
            output.reading.store(true, ordering: .sequentiallyConsistent)
            defer { output.reading.store(false, ordering: .sequentiallyConsistent) }
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                output.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
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

    /// Waits for the process to exit by itself and for its last output to be collected; returns its
    /// status, or nil if it is still running.
    public func waitForExit(timeout: Duration = .seconds(30)) -> Int32? {
        guard eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        // The pipe is read on another thread: the exit can be seen before its last bytes are read.
        // Not end of file: a process another test starts meanwhile may inherit the pipe and hold it open.
        _ = eventually(timeout: .seconds(5)) { unreadOutput == 0 && !output.reading.load(ordering: .sequentiallyConsistent) }
        return process.terminationStatus
    }

    private var unreadOutput: Int32 {
        var count: Int32 = 0
        return ioctl(outputFD, UInt(FIONREAD), &count) == 0 ? count : 0
    }

    /// SIGTERM, then the exit status (nil if it did not exit in time).
    public func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return waitForExit(timeout: timeout)
    }

    /// Writes one line to the process' stdin.
    public func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
