import Foundation
import OHT50TestSupport
import Testing

/// The unit as the repository has it, checked by systemd's own verifier. The package that installs it is
/// tested by tools/package-test (a debootstrap root), which tools/test runs.
@Suite("the systemd unit")
struct InstallTests {
    @Test("the unit passes systemd-analyze verify with ExecStart on a real binary, holds what DESIGN asks, and exposes at most 2.5")
    func unitVerifies() throws {
        let dir = TemporaryDirectory()
        let unit = try String(contentsOfFile: ChildProcess.repository + "/systemd/oht50-firmware.service", encoding: .utf8)
        for line in [
            "Type=notify", "WatchdogSec=", "Restart=on-failure", "EnvironmentFile=-/opt/oht50/.env", "LimitRTPRIO=",
            "LimitMEMLOCK=infinity",
            "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", "User=oht50", "SupplementaryGroups=dialout gpio",
            "ProtectSystem=strict", "RuntimeDirectory=oht50", "RuntimeDirectoryMode=0750",
            "ReadWritePaths=/opt/oht50/data", "DeviceAllow=char-gpiochip rw", "ExecReload=",
            "ExecStopPost=/usr/bin/oht50d safe-off --config /opt/oht50/config/firmware.yaml",
        ] {
            #expect(unit.contains("\n\(line)"), "missing \(line)")
        }
        // Issue 32: an exposure of at most 2.5 (3.9 with the capabilities and no system-call filter).
        try Self.verifiedAndExposed(unit, name: "oht50-firmware.service", in: dir, threshold: 25, exposure: "2.")
    }

    /// systemd-analyze verify (with ExecStart on the built binary) says nothing, and security exits 0 under
    /// `threshold` (tenths) with the overall exposure starting with `exposure`.
    static func verifiedAndExposed(_ unit: String, name: String, in dir: TemporaryDirectory, threshold: Int, exposure: String) throws {
        let path = dir.write(name, unit.replacingOccurrences(of: "/usr/bin/oht50d", with: ChildProcess.productPath("oht50d")))
        // --man=no: Documentation=man:oht50d(1) is installed by the package, not on this machine.
        let verify = try ChildProcess(executable: "/usr/bin/systemd-analyze", arguments: ["verify", "--man=no", path])
        #expect(verify.waitForExit() == 0)
        #expect(verify.log.isEmpty, "systemd-analyze verify said:\n\(verify.log)")
        let security = try ChildProcess(
            executable: "/usr/bin/systemd-analyze",
            arguments: ["security", "--offline=true", "--threshold=\(threshold)", "--no-pager", path])
        #expect(security.waitForExit() == 0, "\(security.log)")
        #expect(security.log.contains("Overall exposure level for \(name): \(exposure)"), "\(security.log)")
    }

    /// Issue 40: the export unit ran as root with no hardening (exposure 9.6).
    @Test(
        "the GPIO export unit passes verify and exposes at most 2.0: root with CAP_CHOWN, CAP_FOWNER and CAP_DAC_READ_SEARCH only, no network"
    )
    func exportUnitHardened() throws {
        let dir = TemporaryDirectory()
        let unit = try String(contentsOfFile: ChildProcess.repository + "/systemd/oht50-gpio-export.service", encoding: .utf8)
        for line in [
            "CapabilityBoundingSet=CAP_CHOWN CAP_FOWNER CAP_DAC_READ_SEARCH", "PrivateNetwork=yes", "SystemCallFilter=@system-service",
        ] {
            #expect(unit.contains("\n\(line)\n"), "missing \(line)")
        }
        // Not ProtectKernelTunables=: it would make /sys, where the export writes, read-only.
        #expect(!unit.contains("\nProtectKernelTunables="))
        try Self.verifiedAndExposed(unit, name: "oht50-gpio-export.service", in: dir, threshold: 20, exposure: "1.")
    }
}
