import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

/// Holds `/dev/cpu_dma_latency` at 0 µs for the life of the process (the kernel's PM QoS interface):
/// the CPUs stay out of deep idle states, whose exit time otherwise lands on every wake-up of the
/// safety loop. cyclictest does the same by default; on this machine it is the difference between a
/// wake-up p50 of about 60 µs and about 20 µs. The request ends when the descriptor is closed.
public final class CPULatencyRequest: Sendable {
    public static let path = "/dev/cpu_dma_latency"
    private let fd: Int32

    /// Fails when the device is missing or this user may not open it (root only, unless the udev rule
    /// installed by tools/install.sh gives it to group oht50).
    public init() throws(SystemCallError) {
        let fd = open(Self.path, O_RDWR | O_CLOEXEC)
        if fd < 0 { throw SystemCallError(call: "open", subject: Self.path, errno: errno) }
        var zero: Int32 = 0
        if write(fd, &zero, MemoryLayout<Int32>.size) != MemoryLayout<Int32>.size {
            let e = errno
            close(fd)
            throw SystemCallError(call: "write", subject: Self.path, errno: e)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
