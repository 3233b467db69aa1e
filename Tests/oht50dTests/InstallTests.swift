import Foundation
import OHT50TestSupport
import Testing

/// tools/install.sh into a temporary root (DESTDIR), with the binaries this test run built, and the
/// unit it installs checked by systemd's own verifier.
@Suite("tools/install.sh and the systemd unit")
struct InstallTests {
    private static let products = (ChildProcess.productPath("oht50d") as NSString).deletingLastPathComponent

    private func install(_ root: TemporaryDirectory, _ arguments: [String] = []) throws -> (status: Int32?, log: String) {
        let script = try ChildProcess(
            executable: ChildProcess.repository + "/tools/install.sh", arguments: ["--prebuilt", Self.products] + arguments,
            environment: ["DESTDIR": root.path])
        let status = script.waitForExit(timeout: .seconds(120))
        return (status, script.log)
    }

    private func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test("installs binaries, unit, user, config, data and a 0600 token; a reinstall keeps an edited config and the token")
    func installAndReinstall() throws {
        let root = TemporaryDirectory()
        let first = try install(root)
        try #require(first.status == 0, "\(first.log)")

        for binary in ["oht50d", "rs485-probe", "oht50-sim"] {
            #expect(FileManager.default.isExecutableFile(atPath: root.file("usr/local/bin/\(binary)")))
        }
        #expect(root.read("etc/systemd/system/oht50-firmware.service") == (try String(contentsOfFile: ChildProcess.repository + "/systemd/oht50-firmware.service", encoding: .utf8)))
        let passwd = root.read("etc/passwd") ?? ""
        let group = root.read("etc/group") ?? ""
        #expect(passwd.contains("oht50:x:"))
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("dialout:") && $0.hasSuffix(":oht50") })
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("gpio:") && $0.hasSuffix(":oht50") })
        #expect(mode(root.file("opt/oht50/data")) == 0o750)

        let env = try #require(root.read("opt/oht50/.env"))
        #expect(env.range(of: #"^OHT50_API_TOKEN=[0-9a-f]{64}\n$"#, options: .regularExpression) != nil)
        #expect(mode(root.file("opt/oht50/.env")) == 0o600)

        // The installed daemon accepts the installed configuration.
        let check = try ChildProcess(
            executable: root.file("usr/local/bin/oht50d"), arguments: ["check-config", "--config", root.file("opt/oht50/config/firmware.yaml")])
        #expect(check.waitForExit() == 0)

        // An edited config survives a reinstall; the new default lands beside it. The token is kept.
        let edited = (root.read("opt/oht50/config/firmware.yaml") ?? "") + "# edited on the vehicle\n"
        root.write("opt/oht50/config/firmware.yaml", edited)
        let second = try install(root)
        try #require(second.status == 0, "\(second.log)")
        #expect(root.read("opt/oht50/config/firmware.yaml") == edited)
        #expect(root.read("opt/oht50/config/firmware.yaml.default") == (try String(contentsOfFile: ChildProcess.repository + "/config/firmware.yaml", encoding: .utf8)))
        #expect(second.log.contains("kept your edited"))
        #expect(root.read("opt/oht50/.env") == env)

        // --uninstall removes what it installed and keeps data, config and token.
        root.write("opt/oht50/data/firmware.db", "data")
        let removed = try install(root, ["--uninstall"])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root.file("usr/local/bin/oht50d")))
        #expect(!FileManager.default.fileExists(atPath: root.file("etc/systemd/system/oht50-firmware.service")))
        #expect(root.read("opt/oht50/data/firmware.db") == "data")
        #expect(root.read("opt/oht50/config/firmware.yaml") == edited)
        #expect(root.read("opt/oht50/.env") == env)
    }

    @Test("an unedited config is replaced by the new default on reinstall")
    func unEditedConfigFollowsTheDefault() throws {
        let root = TemporaryDirectory()
        try #require(try install(root).status == 0)
        // As if installed by an older version: both the config and the recorded default are the old text.
        root.write("opt/oht50/config/firmware.yaml", "# old default\n")
        root.write("opt/oht50/config/firmware.yaml.default", "# old default\n")
        let again = try install(root)
        #expect(again.status == 0)
        #expect(again.log.contains("updated the unedited"))
        #expect(root.read("opt/oht50/config/firmware.yaml") == root.read("opt/oht50/config/firmware.yaml.default"))
    }

    @Test("the unit passes systemd-analyze verify with ExecStart on a real binary, and holds what DESIGN asks")
    func unitVerifies() throws {
        let dir = TemporaryDirectory()
        let unit = try String(contentsOfFile: ChildProcess.repository + "/systemd/oht50-firmware.service", encoding: .utf8)
        for line in [
            "Type=notify", "WatchdogSec=", "Restart=on-failure", "EnvironmentFile=-/opt/oht50/.env", "LimitRTPRIO=", "LimitMEMLOCK=infinity",
            "AmbientCapabilities=CAP_SYS_NICE CAP_IPC_LOCK", "User=oht50", "SupplementaryGroups=dialout gpio", "ProtectSystem=strict",
            "ReadWritePaths=/opt/oht50/data", "DeviceAllow=char-gpiochip rw", "ExecReload=",
            "ExecStopPost=/usr/local/bin/oht50d safe-off --config /opt/oht50/config/firmware.yaml",
        ] {
            #expect(unit.contains("\n\(line)"), "missing \(line)")
        }
        let path = dir.write(
            "oht50-firmware.service", unit.replacingOccurrences(of: "/usr/local/bin/oht50d", with: ChildProcess.productPath("oht50d")))
        let verify = try ChildProcess(executable: "/usr/bin/systemd-analyze", arguments: ["verify", path])
        #expect(verify.waitForExit() == 0)
        #expect(verify.log.isEmpty, "systemd-analyze verify said:\n\(verify.log)")
    }
}
