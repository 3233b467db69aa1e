import OHT50IO
import OHT50TestSupport
import Testing

@Suite("sysfs GPIO export")
struct SysfsGPIOExportTests {
    @Test("only /…/gpioN/value paths are GPIO lines; the class directory and number come from the path")
    func paths() {
        #expect(SysfsGPIOExport.gpio(of: "/sys/class/gpio/gpio59/value")! == ("/sys/class/gpio", 59))
        #expect(SysfsGPIOExport.gpio(of: "/sys/class/gpio/gpio1019/value")! == ("/sys/class/gpio", 1019))
        for other in ["/tmp/x/gpio59/valu", "/tmp/estop", "/sys/class/gpio/gpiochip0/value", "/sys/class/gpio/gpio-1/value", "value"] {
            #expect(SysfsGPIOExport.gpio(of: other) == nil, "\(other)")
        }
    }

    @Test("a plain file is left as it is; a kernel without GPIO sysfs is an error naming the line and what to do")
    func outcomes() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("estop", "1\n")
        let left = try SysfsGPIOExport.export(.init(role: "E-stop input (estop.sysfs_path)", path: file, output: false), group: nil)
        #expect(left.contains("left as it is"))

        let missingClass = dir.path + "/no-gpio-class/gpio59/value"
        #expect {
            try SysfsGPIOExport.export(.init(role: "E-stop input (estop.sysfs_path)", path: missingClass, output: false), group: nil)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("E-stop input (estop.sysfs_path): \(dir.path)/no-gpio-class/export") && text.contains("CONFIG_GPIO_SYSFS")
        }
    }
}
