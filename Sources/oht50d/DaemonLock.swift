import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data directory: `<data_dir>/oht50d.lock`, flock'ed before the control socket and the
/// vehicle are touched and held for the process's life (the kernel lets go at any end, kill -9
/// included). A second `oht50d run` on the same configuration — a technician's beside the service, or
/// one started while the service waits for a late device — exits 69 naming the first, before it opens a
/// line that the first drives.
enum DaemonLock {
    static let fileName = "oht50d.lock"

    struct Held: Error, CustomStringConvertible {
        var description: String
    }

    /// Takes the lock; its descriptor is never closed, so the process holds it until it ends.
    static func acquire(dataDir: String) throws(Held) {
        let path = dataDir + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else {
            throw Held(description: "\(path): cannot open the daemon's lock: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            var holder = ""
            if e == EWOULDBLOCK, let text = try? String(contentsOfFile: path, encoding: .utf8),
                let pid = Int32(text.split(separator: "\n").first ?? "")
            {
                holder = " (pid \(pid))"
            }
            close(fd)
            throw Held(
                description: e == EWOULDBLOCK
                    ? "storage.data_dir \(dataDir): another oht50d\(holder) runs with this data directory (stop it first: systemctl stop "
                        + "oht50-firmware)"
                    : "\(path): cannot lock it: \(String(cString: strerror(e)))")
        }
        // The holder's pid, for the next one's message (the lock itself is the flock, not the text).
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
