#if canImport(Glibc)
import Glibc
#endif

/// A GPIO `value` file (`/sys/class/gpio/gpioN/value`) or any file holding "0" or "1". The path is
/// kept as a C string and the read buffer preallocated, so reading needs no allocation. The file stays
/// open between reads (a `pread` at offset 0 each time, which is how sysfs values are read again);
/// `fstat` notices a file that was deleted or replaced (its link count is 0) and it is opened anew.
final class SysfsValueFile: @unchecked Sendable {
    let path: String
    private let cPath: UnsafeMutablePointer<CChar>
    private let buffer: UnsafeMutableRawPointer
    private static let bufferSize = 16
    /// The open descriptor, -1 when there is none. One reader at a time (the safety thread).
    private var fd: Int32 = -1

    init(path: String) {
        self.path = path
        let utf8 = Array(path.utf8CString)
        cPath = .allocate(capacity: utf8.count)
        cPath.initialize(from: utf8, count: utf8.count)
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 8)
    }

    deinit {
        if fd >= 0 { close(fd) }
        cPath.deallocate()
        buffer.deallocate()
    }

    enum Reading: Equatable {
        case value(Int8)
        /// The file was empty: a writer truncated it and has not written yet.
        case empty
        case invalid
        case failed(Int32)
    }

    /// Whether the kernel signalled a change of this value since it was last read: a sysfs GPIO line with
    /// `edge` set to `both` raises POLLPRI on its value file at every edge, however short the level
    /// lasted. Never true for a plain file (its poll has no POLLPRI) or before the first read. Call it
    /// before `read`, which takes the signal.
    func changedSinceRead() -> Bool {
        guard fd >= 0 else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLPRI) != 0
    }

    /// Reads the value; a deleted or replaced file is noticed at once (and a replaced one read).
    func read() -> Reading {
        if fd >= 0 {
            var info = stat()
            if fstat(fd, &info) != 0 || info.st_nlink == 0 { closeFile() }
        }
        if fd < 0 {
            repeat { fd = open(cPath, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
            if fd < 0 { return .failed(errno) }
        }
        var n: Int
        repeat { n = pread(fd, buffer, Self.bufferSize, 0) } while n < 0 && errno == EINTR
        if n < 0 {
            let e = errno
            closeFile()
            return .failed(e)
        }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "0"): return .value(0)
            case UInt8(ascii: "1"): return .value(1)
            default: return .invalid
            }
        }
        return .empty
    }

    private func closeFile() {
        close(fd)
        fd = -1
    }
}
