import FoundationEssentials
import OHT50Core
import Testing

/// The few Foundation conveniences oht50d does itself (issue 30: FoundationEssentials only), checked
/// against what Foundation printed before, since operators and scripts read these texts.
@Suite("Text helpers without Foundation")
struct TextHelpersTests {
    @Test("printf formats numbers as Foundation's String(format:) did")
    func printfFormats() {
        #expect(String(printf: "%.2f", 1.005) == "1.00")
        #expect(String(printf: "%.3f", 0.25) == "0.250")
        #expect(String(printf: "%.0f", 1234.5) == "1234")
        #expect(String(printf: "%02x", UInt8(10)) == "0a")
        #expect(String(printf: "%02llx:%02llx:%llu", UInt64(0x103), UInt64(5), UInt64(77)) == "103:05:77")
        // Longer than the first buffer: grown, not cut.
        #expect(String(printf: "%0200d", 7).count == 200)
    }

    @Test("path arithmetic matches NSString's for the paths oht50d handles")
    func pathNames() {
        #expect(PathName.directory(of: "/dev/ttyOHT485") == "/dev")
        #expect(PathName.directory(of: "/sys/class/gpio/gpio59/value") == "/sys/class/gpio/gpio59")
        #expect(PathName.directory(of: "/dev/") == "/")
        #expect(PathName.directory(of: "/opt") == "/")
        #expect(PathName.directory(of: "/") == "/")
        #expect(PathName.directory(of: "ttyS1") == "")
        #expect(PathName.lastComponent("/dev/ttyS1") == "ttyS1")
        #expect(PathName.lastComponent("/sys/class/gpio/") == "gpio")
        #expect(PathName.lastComponent("ttyS1") == "ttyS1")
        #expect(PathName.join("/dev", "ttyS1") == "/dev/ttyS1")
        #expect(PathName.join("/", "dev") == "/dev")
        #expect(PathName.join("", "ttyS1") == "ttyS1")
        #expect(PathName.join(PathName.directory(of: "/dev/ttyOHT485"), "../dev/ttyS1") == "/dev/../dev/ttyS1")
    }

    @Test("trimming and padding for columns and token files")
    func trimmingAndPadding() {
        #expect("  abc \t\n".trimmed == "abc")
        #expect(" \n ".trimmed == "")
        #expect("\"tok'en\"".trimming { $0 == "\"" || $0 == "'" } == "tok'en")
        #expect("ok".padded(to: 4) == "ok  ")
        #expect("warning".padded(to: 4) == "warn")
    }

    @Test("wall times: milliseconds in UTC, a file-name stamp, and parsing with or without fractions")
    func wallTimes() throws {
        let date = Date(timeIntervalSince1970: 1_795_421_100.125)  // 2026-11-23T08:05:00.125Z (exact in binary)
        #expect(WallTime.iso8601(date) == "2026-11-23T08:05:00.125Z")
        #expect(WallTime.fileStamp(date) == "20261123T080500Z")
        #expect(try #require(WallTime.parse("2026-11-23T08:05:00Z")).timeIntervalSince1970 == 1_795_421_100)
        #expect(abs(try #require(WallTime.parse("2026-11-23T08:05:00.250Z")).timeIntervalSince1970 - 1_795_421_100.25) < 0.001)
        #expect(try #require(WallTime.parse("2026-11-23T09:05:00+01:00")).timeIntervalSince1970 == 1_795_421_100)
        #expect(WallTime.parse("yesterday") == nil)
        #expect(WallTime.parse("2026-11-23") == nil)
    }
}

@Suite("the control socket's rule (SO_PEERCRED)")
struct PeerCredentialsTests {
    @Test("root, the daemon's user and its group may control; a member by supplementary group too; anybody else not")
    func mayControl() {
        let daemon: (uid: UInt32, gid: UInt32) = (998, 997)
        func may(_ uid: UInt32, _ gid: UInt32, supplementary: [UInt32] = []) -> Bool {
            PeerCredentials(pid: 1, uid: uid, gid: gid).mayControl(daemonUID: daemon.uid, daemonGID: daemon.gid) { _, primary in
                [primary] + supplementary
            }
        }
        #expect(may(0, 0))
        #expect(may(998, 100))
        #expect(may(1000, 997))
        #expect(may(1000, 1000, supplementary: [27, 997]))
        #expect(!may(1000, 1000, supplementary: [27]))
        #expect(!may(65534, 65534))
    }
}
