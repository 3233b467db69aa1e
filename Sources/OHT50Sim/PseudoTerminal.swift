internal import CPosixTTY
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A pty pair standing in for the RS485 line: the simulator owns the master side, a client (the
/// daemon, rs485-probe, mbpoll, pymodbus) opens the slave path like any serial port.
public final class PseudoTerminal: @unchecked Sendable {
    public let masterFD: Int32
    /// Kept open so the master never sees a hang-up between two clients' sessions.
    private let slaveFD: Int32
    public let slavePath: String
    public private(set) var linkPath: String?

    public init(link: String? = nil) throws {
        let master = oht50_posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw SimulatorError("posix_openpt failed: \(String(cString: strerror(errno)))") }
        var name = [CChar](repeating: 0, count: 128)
        guard oht50_grantpt(master) == 0, oht50_unlockpt(master) == 0, oht50_ptsname(master, &name, 128) == 0 else {
            close(master)
            throw SimulatorError("cannot unlock the pty: \(String(cString: strerror(errno)))")
        }
        masterFD = master
        slavePath = String(cString: name)
        slaveFD = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        var attributes = termios()
        tcgetattr(slaveFD, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(slaveFD, TCSANOW, &attributes)
        if let link {
            try? FileManager.default.removeItem(atPath: link)
            guard symlink(slavePath, link) == 0 else {
                throw SimulatorError("cannot create the link \(link) → \(slavePath): \(String(cString: strerror(errno)))")
            }
            linkPath = link
        }
    }

    deinit {
        if let linkPath { try? FileManager.default.removeItem(atPath: linkPath) }
        close(slaveFD)
        close(masterFD)
    }

    /// Drops a client's exclusive claim (TIOCEXCL). A real UART loses it at its client's last close; this
    /// pty never has a last close (the slave is kept open above), so a client killed with -9 would leave
    /// every later non-root opener with EBUSY. Clients still exclude each other with flock.
    public func clearExclusive() { _ = ioctl(slaveFD, UInt(TIOCNXCL)) }

    /// The path clients open: the link when there is one.
    public var path: String { linkPath ?? slavePath }
}

public struct SimulatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
