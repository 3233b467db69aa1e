#if canImport(Glibc)
import Glibc
#endif

/// An output written through a value file. The descriptor stays open; each write replaces the value in
/// place ("0\n" or "1\n" at offset 0), which is how sysfs GPIO values are written. A file that was
/// replaced (an unexport and re-export, a plain file renamed over) or a write that fails is opened anew
/// and written once more, so the line is put back rather than written into the old file for good.
/// The safety thread reads it back through a read-only descriptor of its own (`sense`).
/// One writer at a time: the safety thread while it runs, its owner before and after.
public final class SysfsOutputLine: OutputLine, @unchecked Sendable {
    public let path: String
    private var fd: Int32
    /// The path as a C string, allocated once: reopening allocates nothing.
    private let cPath: UnsafeMutablePointer<CChar>
    /// The safety thread's reader: preallocated, reopened when the file is replaced.
    private let sensor: SysfsValueFile

    public init(path: String, role: String) throws(HardwareError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw HardwareError(
                role: role, device: path, problem: SystemCallError(call: "open", subject: path, errno: e).description,
                hint: "check that the GPIO is exported as an output and writable by this user", mayAppear: HardwareError.mayAppear(errno: e)
            )
        }
        self.fd = fd
        let utf8 = Array(path.utf8CString)
        cPath = .allocate(capacity: utf8.count)
        cPath.initialize(from: utf8, count: utf8.count)
        self.sensor = SysfsValueFile(path: path)
    }

    deinit {
        if fd >= 0 { close(fd) }
        cPath.deallocate()
    }

    private static let on: StaticString = "1\n"
    private static let off: StaticString = "0\n"

    public func set(_ on: Bool) -> Bool {
        var info = stat()
        if fd >= 0 && (fstat(fd, &info) != 0 || info.st_nlink == 0) { reopen() }
        if fd < 0 { reopen() }
        if write(on) { return true }
        reopen()
        return write(on)
    }

    private func write(_ on: Bool) -> Bool {
        guard fd >= 0 else { return false }
        let text = on ? Self.on : Self.off
        var n: Int
        repeat { n = pwrite(fd, text.utf8Start, text.utf8CodeUnitCount, 0) } while n < 0 && errno == EINTR
        return n == text.utf8CodeUnitCount
    }

    private func reopen() {
        if fd >= 0 { close(fd) }
        repeat { fd = open(cPath, O_WRONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
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
