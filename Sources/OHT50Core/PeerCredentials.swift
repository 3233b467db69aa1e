#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a unix socket, as the kernel recorded it at connect (`SO_PEERCRED`,
/// Linux's `struct ucred`): what the control socket authorises by, and what the CLI checks the daemon by.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32 = 0
    public var uid: UInt32 = UInt32.max
    public var gid: UInt32 = UInt32.max

    public init() {}

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// "root (uid 0)", "oht50 (uid 998)", or "uid 4242" when the user database has no name.
    public static func userName(_ uid: UInt32) -> String {
        name(of: uid).map { "\($0) (uid \(uid))" } ?? "uid \(uid)"
    }

    public static func name(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    public static func uid(of name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// The groups the user database gives `uid` (its primary one included), for a peer whose membership
    /// of the socket's group is supplementary.
    public static func groups(of uid: UInt32, primary: UInt32) -> [UInt32] {
        guard let user = name(of: uid) else { return [primary] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(user, primary, &groups, &count) >= 0 else { return [primary] }
        }
        return Array(groups.prefix(Int(count)))
    }

    /// The control socket's rule: root, the daemon's own user, or a member of the daemon's group (the
    /// socket file is 0660 in that group, so the kernel already refused everybody else at connect).
    public func mayControl(daemonUID: UInt32, daemonGID: UInt32, groups: (UInt32, UInt32) -> [UInt32] = PeerCredentials.groups) -> Bool {
        if uid == 0 || uid == daemonUID || gid == daemonGID { return true }
        return groups(uid, gid).contains(daemonGID)
    }

    /// "uid 0 (root) pid 1234", for event sources and logs.
    public var described: String {
        "uid \(uid)" + (Self.name(of: uid).map { " (\($0))" } ?? "") + " pid \(pid)"
    }
}
