import Foundation
import OHT50Core
import OHT50TestSupport
import Testing

@testable import OHT50dCLI

/// `oht50d doctor`'s hardware-watchdog check (issue 31) against sysfs and systemd configuration trees
/// made in a temporary directory: what a technician sees on a board without a watchdog, with one nobody
/// pets, and with systemd petting it.
@Suite("doctor: the hardware watchdog")
struct HardwareWatchdogCheckTests {
    func check(_ dir: TemporaryDirectory) -> DoctorCheck {
        let doctor = Doctor(
            config: .defaults, configCheck: DoctorCheck(name: "config", status: .ok, found: ""), sysfsRoot: dir.file("sys"),
            procRoot: dir.file("proc"), systemConf: dir.file("etc/systemd/system.conf"),
            systemConfDropIns: [dir.file("usr/lib/systemd/system.conf.d"), dir.file("etc/systemd/system.conf.d")])
        return doctor.hardwareWatchdog()
    }

    func watchdog(_ dir: TemporaryDirectory, state: String) {
        _ = dir.write("sys/class/watchdog/watchdog0/identity", "Synopsys DesignWare Watchdog\n")
        _ = dir.write("sys/class/watchdog/watchdog0/timeout", "44\n")
        _ = dir.write("sys/class/watchdog/watchdog0/state", state + "\n")
    }

    @Test("no watchdog device: a warning that says a kernel hang would leave the board hung, and how to fix it")
    func noDevice() {
        let dir = TemporaryDirectory()
        let result = check(dir)
        #expect(result.status == .warn)
        #expect(result.found.contains("no watchdog device") && result.found.contains("RuntimeWatchdogSec is not set"))
        #expect(result.fix?.contains("dw_wdt") == true)
    }

    @Test("a device nobody pets: a warning naming it and RuntimeWatchdogSec=")
    func unpetted() {
        let dir = TemporaryDirectory()
        watchdog(dir, state: "inactive")
        let result = check(dir)
        #expect(result.status == .warn)
        #expect(
            result.found
                == "/dev/watchdog0 (Synopsys DesignWare Watchdog, timeout 44 s), inactive, nobody pets it; systemd: RuntimeWatchdogSec is not set"
        )
        #expect(result.fix?.contains("RuntimeWatchdogSec=10s") == true)
    }

    @Test("systemd's RuntimeWatchdogSec= set and the device active: ok, naming the file that set it")
    func petted() {
        let dir = TemporaryDirectory()
        watchdog(dir, state: "active")
        _ = dir.write("etc/systemd/system.conf", "[Manager]\n#RuntimeWatchdogSec=off\nRuntimeWatchdogSec=10s\n")
        let result = check(dir)
        #expect(result.status == .ok)
        #expect(result.found.hasSuffix("systemd: RuntimeWatchdogSec=10s (\(dir.file("etc/systemd/system.conf")))"))
    }

    @Test("a later drop-in wins: one that turns it off makes an active device another program's; one in /etc hides /usr/lib's")
    func dropIns() {
        let dir = TemporaryDirectory()
        watchdog(dir, state: "active")
        _ = dir.write("etc/systemd/system.conf", "[Manager]\nRuntimeWatchdogSec=10s\n")
        _ = dir.write("usr/lib/systemd/system.conf.d/50-vendor.conf", "[Manager]\nRuntimeWatchdogSec=off\n")
        let off = check(dir)
        #expect(off.status == .warn && off.found.contains("by another program"))
        _ = dir.write("etc/systemd/system.conf.d/50-vendor.conf", "[Manager]\nRuntimeWatchdogSec=30s\n")
        let on = check(dir)
        #expect(on.status == .ok && on.found.contains("RuntimeWatchdogSec=30s"))
    }

    @Test("configured but the device closed (systemd not re-executed since): a warning to daemon-reexec")
    func configuredNotOpen() {
        let dir = TemporaryDirectory()
        watchdog(dir, state: "inactive")
        _ = dir.write("etc/systemd/system.conf", "RuntimeWatchdogSec=10s\n")
        let result = check(dir)
        #expect(result.status == .warn && result.fix?.contains("daemon-reexec") == true)
    }
}
