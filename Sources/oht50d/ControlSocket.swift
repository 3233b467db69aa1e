import FoundationEssentials
import Hummingbird
import Logging
import OHT50API
import OHT50Client
import OHT50Core
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The local control socket (`http.control_socket`): the API's routes over a unix socket, mode 0660 in
/// the daemon's group, where the peer's credentials replace the token.
enum ControlSocket {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Before binding: the directory exists (made 0750 when missing), nothing else than a socket is at the
    /// path, and no running daemon serves it (its socket is left alone: Hummingbird would unlink it).
    static func prepare(_ path: String) throws(Problem) {
        guard path.utf8.count <= UnixSocketAddress.maxPathBytes else {
            throw Problem(
                description:
                    "http.control_socket \(path): \(path.utf8.count) bytes, a unix socket path has at most 107 (a shorter --data-dir?)")
        }
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty && access(directory, F_OK) != 0 {
            guard mkdir(directory, 0o750) == 0 || errno == EEXIST else {
                throw Problem(description: "http.control_socket \(path): cannot make \(directory): \(String(cString: strerror(errno)))")
            }
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else {
                throw Problem(
                    description: "http.control_socket \(path): something that is not a socket is there; remove it or choose another path")
            }
            if let fd = try? DaemonClient.connect(socketPath: path, timeoutSeconds: 2) {
                close(fd)
                throw Problem(
                    description:
                        "http.control_socket \(path): another oht50d serves it already (stop it first: systemctl stop oht50-firmware)")
            }
            unlink(path)
        }
        try trialBind(path)
    }

    /// Binds once and lets go, so that a place where this user may not make a socket, or a file system
    /// that has none (9p, some FUSE), is named now rather than as an anonymous bind error of the server.
    private static func trialBind(_ path: String) throws(Problem) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Problem(description: "http.control_socket \(path): socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard UnixSocketAddress.with(path, { bind(fd, $0, $1) }) == 0 else {
            throw Problem(
                description:
                    "http.control_socket \(path): cannot be bound (\(String(cString: strerror(errno)))): it needs a directory this user may "
                    + "write on a local file system, such as /run/oht50 (RuntimeDirectory=) or the data directory")
        }
        unlink(path)
    }

    /// The API's control router on `path`; once bound, the socket is made 0660 so that the daemon's group
    /// may connect (until then the umask keeps it to the daemon's user).
    static func application(_ api: SafetyAPI, path: String, logger: Logger) -> some Service {
        Application(
            router: api.router(controlSocket: true),
            server: HTTPLimits.server,
            configuration: .init(address: .unixDomainSocket(path: path), availableConnectionsDelegate: HTTPLimits.connections),
            onServerRunning: { _ in
                if chmod(path, 0o660) != 0 {
                    logger.error(
                        "control socket \(path): chmod 0660 failed, only this user can use it: \(String(cString: strerror(errno)))")
                }
                logger.notice("control socket listening", metadata: ["path": "\(path)", "mode": "0660", "gid": "\(getgid())"])
            },
            logger: logger)
    }
}
