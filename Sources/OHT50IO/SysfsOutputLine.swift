#if canImport(Glibc)
import Glibc
#endif

/// An output written through a value file. The descriptor stays open; each write replaces the value in
/// place ("0\n" or "1\n" at offset 0), which is how sysfs GPIO values are written.
/// The safety thread reads it back through a read-only descriptor of its own (`sense`).
public final class SysfsOutputLine: OutputLine, @unchecked Sendable {
    public let path: String
    private let fd: Int32
    /// The safety thread's reader: preallocated, reopened when the file is replaced.
    private let sensor: SysfsValueFile

    public init(path: String, role: String) throws(HardwareError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw HardwareError(
                role: role, device: path, problem: SystemCallError(call: "open", subject: path, errno: e).description,
                hint: "check that the GPIO is exported as an output and writable by this user")
        }
        self.fd = fd
        self.sensor = SysfsValueFile(path: path)
    }

    deinit { close(fd) }

    private static let on: StaticString = "1\n"
    private static let off: StaticString = "0\n"

    public func set(_ on: Bool) -> Bool {
        let text = on ? Self.on : Self.off
        var n: Int
        repeat { n = pwrite(fd, text.utf8Start, text.utf8CodeUnitCount, 0) } while n < 0 && errno == EINTR
        return n == text.utf8CodeUnitCount
    }

    public func sense() -> Bool? {
        switch sensor.read() {
        case .value(let v): v == 1
        case .empty, .invalid, .failed: nil
        }
    }

    public func readBack() -> Bool? {
        switch SysfsValueFile(path: path).read() {
        case .value(let v): v == 1
        case .empty, .invalid, .failed: nil
        }
    }

    public var description: String { "sysfs \(path)" }
}
