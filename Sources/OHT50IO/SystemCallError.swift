#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on what, and errno. The one error type every wrapper throws.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var subject: String
    public var errno: Int32

    public init(call: String, subject: String, errno: Int32) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    public var description: String {
        "\(call)(\(subject)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// Runs `body` until it does not fail with EINTR; throws on any other failure (a negative result).
    @discardableResult
    public static func retrying<T: SignedInteger>(_ call: String, _ subject: String, _ body: () -> T) throws(SystemCallError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let e = Glibc.errno
            if e != EINTR { throw SystemCallError(call: call, subject: subject, errno: e) }
        }
    }
}
