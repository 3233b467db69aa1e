#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// C's printf formatting (`"%.2f"`, `"%02x"`): what Foundation's `String(format:)` does for these
    /// numbers, without Foundation (issue 30: FoundationEssentials has no `String(format:)`).
    public init(printf format: String, _ arguments: CVarArg...) {
        var capacity = 64
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let needed = withVaList(arguments) { vsnprintf(&buffer, capacity, format, $0) }
            guard needed >= capacity else {
                self = needed < 0 ? "" : String(decoding: buffer.prefix(Int(needed)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return
            }
            capacity = Int(needed) + 1
        }
    }
}
