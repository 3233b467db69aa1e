import Foundation

/// A directory private to one test, removed when the value is deinitialised.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "oht50") {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// For a daemon started as another user.
    public func makeWorldWritable() {
        try! FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: path)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    public func write(_ name: String, _ contents: String) -> String {
        let p = file(name)
        try! FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! contents.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }

    /// Replaces a file whole (write aside, rename), as a line the daemon reads every cycle must be
    /// changed: a writer stalled between truncate and write would show it empty for too long.
    public func replace(_ name: String, _ contents: String) {
        try! Data(contents.utf8).write(to: URL(fileURLWithPath: file(name)), options: .atomic)
    }

    public func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
}
