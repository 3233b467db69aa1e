import CThreadControl
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// Whether a file that decides what the vehicle does (the configuration: which line is the E-stop, which
/// drives are stopped) can only have been written by those already trusted with the vehicle: root, the
/// user running this command, or the service user `oht50`. `/opt/oht50` is shared with the backend, whose
/// user the runbook's `chown -R oht:oht /opt/oht50/` makes its owner; a file or directory that user can
/// write would let a network service choose the E-stop input. The file and every directory above it, as
/// written and as resolved through symbolic links, must be owned by one of those users and writable by no
/// group but root's and by nobody else, with no access ACL (a sticky directory such as /tmp excepted:
/// nobody can replace another's entry there).
public enum TrustedPath {
    /// The users whose files are trusted: root, this process's, and the service user when it exists.
    public static func trustedOwners() -> Set<UInt32> {
        var owners: Set<UInt32> = [0, geteuid()]
        if let service = PeerCredentials.uid(of: "oht50") { owners.insert(service) }
        return owners
    }

    /// What makes `path` untrusted, naming the file or directory, its owner and mode, and the repair;
    /// nil when it is trusted or does not exist (reading it then says what is wrong). The path is walked a
    /// component at a time from `/`, and every symbolic link on the way is followed the same way, so each
    /// directory a link passes through counts too.
    public static func problem(_ path: String, owners: Set<UInt32> = trustedOwners()) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var links = 0
        return walk(absolute, owners: owners, links: &links)
    }

    private static func walk(_ path: String, owners: Set<UInt32>, links: inout Int) -> String? {
        let components = path.split(separator: "/").map(String.init)
        // `/`, then each component in turn.
        for depth in 0...components.count {
            let here = "/" + components[..<depth].joined(separator: "/")
            var info = stat()
            guard lstat(here, &info) == 0 else {
                // Missing: the read says so. Anything else is not known to be safe.
                return errno == ENOENT
                    ? nil : "\(here) cannot be examined (\(String(cString: strerror(errno)))); repair: make it readable by this user"
            }
            if let problem = entry(here, owners: owners, info: info) { return problem }
            if depth > 0, info.st_mode & S_IFMT == S_IFLNK {
                links += 1
                guard links <= 40, let target = readLink(here) else { return nil }  // a loop: the read fails (ELOOP)
                let resolved = target.hasPrefix("/") ? target : "/" + components[..<(depth - 1)].joined(separator: "/") + "/" + target
                let rest = components[depth...].joined(separator: "/")
                return walk(rest.isEmpty ? resolved : resolved + "/" + rest, owners: owners, links: &links)
            }
        }
        return nil
    }

    /// One file, directory or link, as `lstat` saw it: its owner, its mode bits (not for a link), no
    /// access ACL.
    private static func entry(_ path: String, owners: Set<UInt32>, info: stat) -> String? {
        let mode = info.st_mode
        let owner = PeerCredentials.name(of: info.st_uid).map { "\($0) (uid \(info.st_uid))" } ?? "uid \(info.st_uid)"
        if !owners.contains(info.st_uid) {
            return "\(path) is owned by \(owner), who could change what the daemon reads; repair: sudo chown root:root \(path)"
        }
        if mode & S_IFMT == S_IFLNK { return nil }
        let sticky = mode & S_IFMT == S_IFDIR && mode & S_ISVTX != 0
        let groupWritable = mode & S_IWGRP != 0 && info.st_gid != 0
        let othersWritable = mode & S_IWOTH != 0 && !sticky
        if groupWritable || othersWritable {
            return "\(path) (mode \(String(printf: "%04o", mode & 0o7777))) is writable by "
                + "\(othersWritable ? "everybody" : "group \(info.st_gid)"), who could change what the daemon reads; "
                + "repair: sudo chmod go-w \(path)"
        }
        // With an access ACL the group bits are only its mask: `setfacl -m u:oht:rw` leaves a 0664 root file.
        if oht50_has_access_acl(path) == 1 {
            return "\(path) has an access ACL (getfacl \(path)), which may let others change it; repair: sudo setfacl -b \(path)"
        }
        return nil
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
