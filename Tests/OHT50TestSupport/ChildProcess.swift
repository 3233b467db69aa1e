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
        /// The reader's own descriptor of the pipe, -1 once it has closed it (only the reader closes it).
        let fd = Mutex<Int32>(-1)
        /// Set when the ChildProcess goes away: the reader stops at its next poll timeout.
        let stopped = Atomic(false)
    }

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
        // The output is read by a thread of its own with poll and read on a private duplicate of the
        // pipe, not with FileHandle.readabilityHandler: tearing down many of those concurrently hits a
        // use-after-free in libdispatch's epoll bookkeeping on Linux (swift-corelibs-libdispatch#949),
        // which crashed the test process in _dispatch_event_loop_drain.
        let fd = fcntl(pipe.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EBADF) }
        output.fd.withLock { $0 = fd }
        Thread.detachNewThread { [output] in Self.readOutput(fd, into: output) }
        try process.run()
    }

    /// Appends what the process writes until end of file, a read error, or `stopped`; then closes `fd`.
    private static func readOutput(_ fd: Int32, into output: OutputBuffer) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !output.stopped.load(ordering: .acquiring) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            output.reading.store(true, ordering: .sequentiallyConsistent)
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { output.text.withLock { $0 += String(decoding: buffer[0..<n], as: UTF8.self) } }
            output.reading.store(false, ordering: .sequentiallyConsistent)
            if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { break }
        }
        output.fd.withLock {
            close($0)
            $0 = -1
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.stopped.store(true, ordering: .releasing)
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
        output.fd.withLock { fd in
            var count: Int32 = 0
            return fd >= 0 && ioctl(fd, UInt(FIONREAD), &count) == 0 ? count : 0
        }
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
