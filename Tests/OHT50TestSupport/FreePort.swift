import Foundation

#if canImport(Glibc)
import Glibc
@_exported import OHT50Client
#endif

/// Loopback TCP ports for peers that cannot pick their own.
public enum FreePort {
    /// A port the kernel just handed out and released; private to this test in practice.
    public static func find() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func isListening(_ port: Int) -> Bool {
        (try? DaemonClient.connect(port: port)).map {
            close($0)
            return true
        } ?? false
    }
}
