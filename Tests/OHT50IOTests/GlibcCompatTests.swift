import CGlibcCompat
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The glibc 2.38 functions the arm64 build's static Swift runtime calls, defined by CGlibcCompat for
/// bookworm's glibc 2.36: they must answer as glibc 2.38 does, or the runtime misreads what it parses.
/// (Built against glibc 2.38 or newer, the same checks run on glibc's own.)
@Suite("glibc 2.38 compatibility for bookworm")
struct GlibcCompatTests {
    static func strtol(_ s: String, base: Int32 = 0) -> (value: Int, rest: String, errno: Int32) {
        s.withCString { p in
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = __isoc23_strtol(p, &end, base)
            return (value, String(cString: end!), errno)
        }
    }

    @Test("__isoc23_strtol: decimal, hex, octal as strtol; C23 0b binary with a sign; overflow is ERANGE")
    func strtolAsGlibc238() {
        #expect(Self.strtol("  42 rest") == (42, " rest", 0))
        #expect(Self.strtol("0x1f") == (31, "", 0))
        #expect(Self.strtol("017") == (15, "", 0))
        #expect(Self.strtol("0b101") == (5, "", 0))
        #expect(Self.strtol(" -0B11x") == (-3, "x", 0))
        #expect(Self.strtol("0b101", base: 2) == (5, "", 0))
        #expect(Self.strtol("0b2") == (0, "b2", 0), "no binary digit: strtol reads the 0")
        #expect(Self.strtol("0b101", base: 16) == (0xB101, "", 0))
        let max = Self.strtol("0b" + String(repeating: "1", count: 63))
        #expect(max == (Int.max, "", 0))
        #expect(Self.strtol("-0b1" + String(repeating: "0", count: 63)) == (Int.min, "", 0))
        #expect(Self.strtol("0b1" + String(repeating: "0", count: 63)) == (Int.max, "", ERANGE))
        #expect(Self.strtol("99999999999999999999") == (Int.max, "", ERANGE))
    }

    @Test("__isoc23_strtoll reads a signed C23 binary number")
    func strtoll() {
        var end: UnsafeMutablePointer<CChar>?
        #expect(__isoc23_strtoll("-0b111", &end, 0) == -7)
        #expect(__isoc23_strtoll("-9223372036854775808", &end, 10) == Int64.min)
    }

    @Test("strlcpy copies what fits, always terminates, and returns the source's length")
    func strlcpyAsBSD() {
        var buffer = [CChar](repeating: 0x7f, count: 6)
        #expect(strlcpy(&buffer, "vehicle", 6) == 7)
        #expect(String(cString: buffer) == "vehic")
        #expect(strlcpy(&buffer, "ok", 6) == 2)
        #expect(String(cString: buffer) == "ok")
        #expect(strlcpy(&buffer, "untouched", 0) == 9)
        #expect(String(cString: buffer) == "ok")
    }
}
