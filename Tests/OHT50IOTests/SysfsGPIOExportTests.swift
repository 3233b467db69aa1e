import OHT50IO
import OHT50TestSupport
import Testing

@Suite("sysfs GPIO export")
struct SysfsGPIOExportTests {
    @Test("only /sys/class/gpio/gpioN/value is a kernel line to export; files that merely look like one are not")
    func paths() {
        #expect(SysfsGPIOExport.gpio(of: "/sys/class/gpio/gpio59/value") == 59)
        #expect(SysfsGPIOExport.gpio(of: "/sys/class/gpio/gpio1019/value") == 1019)
        for other in [
            "/opt/oht50/data/test/gpio59/value", "./.oht50/sim/gpio59/value", "/sys/class/gpio/gpio59/valu", "/tmp/estop",
            "/sys/class/gpio/gpiochip0/value", "/sys/class/gpio/gpio-1/value", "/sys/class/gpio/gpio/value",
            "/sys/class/gpio/gpio5/9/value",
        ] {
            #expect(SysfsGPIOExport.gpio(of: other) == nil, "\(other)")
        }
    }

    @Test("a file outside /sys/class/gpio is left exactly as it is, even one named like a GPIO line")
    func plainFilesLeftAlone() throws {
        let dir = TemporaryDirectory()
        for name in ["estop", "test/gpio59/value"] {
            let file = dir.write(name, "1\n")
            let done = try SysfsGPIOExport.export(.init(role: "E-stop input (estop.sysfs_path)", path: file, output: false), group: nil)
            #expect(done.contains("left as it is"))
            #expect(dir.read(name) == "1\n")
        }
    }
}
