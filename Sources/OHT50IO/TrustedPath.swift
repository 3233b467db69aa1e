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
/// group but root's and by nobody else (a sticky directory such as /tmp excepted: nobody can replace
/// another's entry there).
public enum TrustedPath {
    /// The users whose files are trusted: root, this process's, and the service user when it exists.
    public static func trustedOwners() -> Set<UInt32> {
        var owners: Set<UInt32> = [0, geteuid()]
        if let service = PeerCredentials.uid(of: "oht50") { owners.insert(service) }
        return owners
    }

    /// What makes `path` untrusted, naming the file or directory, its owner and mode, and the repair;
    /// nil when it is trusted or does not exist (reading it then says what is wrong).
    public static func problem(_ path: String, owners: Set<UInt32> = trustedOwners()) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(absolute, &resolved) != nil else { return nil }
        let real = String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for chain in [ancestry(absolute), ancestry(real)] {
            for entry in chain {
                var info = stat()
                guard lstat(entry, &info) == 0 else { continue }
                let mode = info.st_mode
                let isDirectory = mode & S_IFMT == S_IFDIR
                let isLink = mode & S_IFMT == S_IFLNK
                let owner = PeerCredentials.name(of: info.st_uid).map { "\($0) (uid \(info.st_uid))" } ?? "uid \(info.st_uid)"
                let shown = String(printf: "%04o", mode & 0o7777)
                if !owners.contains(info.st_uid) {
                    return "\(entry) is owned by \(owner), who could change what the daemon reads; repair: sudo chown root:root \(entry)"
                }
                if isLink { continue }
                let sticky = isDirectory && mode & S_ISVTX != 0
                let groupWritable = mode & S_IWGRP != 0 && info.st_gid != 0
                let othersWritable = mode & S_IWOTH != 0 && !sticky
                if groupWritable || othersWritable {
                    return "\(entry) (mode \(shown)) is writable by \(othersWritable ? "everybody" : "group \(info.st_gid)"), who could "
                        + "change what the daemon reads; repair: sudo chmod go-w \(entry)"
                }
            }
        }
        return nil
    }

    /// `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`.
    private static func ancestry(_ path: String) -> [String] {
        var chain = ["/"]
        var current = ""
        for component in path.split(separator: "/") where !component.isEmpty {
            current += "/" + component
            chain.append(current)
        }
        return chain
    }
}
