#if canImport(Glibc)
import Glibc
#endif

/// A whole small file as UTF-8 text through open/read (EINTR retried), so a failure names the errno
/// ("No such file or directory", "Is a directory") rather than a generic "cannot be read".
public enum TextFile {
    public enum Failure: Error, CustomStringConvertible {
        case system(SystemCallError)
        /// Not UTF-8 at this line (from 1) and byte offset (from 0).
        case notUTF8(line: Int, offset: Int)

        public var description: String {
            switch self {
            case .system(let error): String(cString: strerror(error.errno))
            case .notUTF8(let line, let offset): "not UTF-8 text: line \(line), byte \(offset) of the file"
            }
        }
    }

    public static func read(_ path: String) throws(Failure) -> String {
        let bytes: [UInt8]
        do { bytes = try readBytes(path) } catch { throw .system(error) }
        var decoded = ""
        var offset = 0
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                decoded.unicodeScalars.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput: break loop
            case .error: throw .notUTF8(line: bytes[..<offset].count { $0 == UInt8(ascii: "\n") } + 1, offset: offset)
            }
        }
        return decoded
    }

    public static func readBytes(_ path: String) throws(SystemCallError) -> [UInt8] {
        let fd = try SystemCallError.retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = try SystemCallError.retrying("read", path) { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
