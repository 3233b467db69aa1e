#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to standard output and standard error (what `FileHandle.standardError.write`
/// did; FileHandle is not in FoundationEssentials, issue 30): a test or a script reading the pipe sees
/// each line at once.
public enum Console {
    /// `line` and a line end on standard output.
    public static func out(_ line: String) { write(line + "\n", to: STDOUT_FILENO) }

    /// `line` and a line end on standard error.
    public static func error(_ line: String) { write(line + "\n", to: STDERR_FILENO) }

    /// All of `text`, retried after EINTR and short writes; given up on any other error (a closed pipe).
    public static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                written += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
