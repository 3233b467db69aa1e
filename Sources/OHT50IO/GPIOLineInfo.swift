internal import CGPIOD

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about one GPIO line, read without requesting it (`gpioinfo`'s view): nothing a
/// running daemon holds is disturbed.
public struct GPIOLineInfo: Sendable, Equatable {
    /// "gpiochip1 [rockchip,gpio1]".
    public var chip: String
    /// The kernel's name of the chip: "gpiochip1".
    public var device: String
    public var lines: Int
    public var used: Bool
    public var consumer: String?
    public var output: Bool

    /// The line, or why it cannot be seen: no such chip, no permission, no such line (the same errors,
    /// with the same hints, as the daemon's own request).
    public static func inspect(chip descriptor: String, line offset: Int, role: String = "gpio") -> Result<GPIOLineInfo, HardwareError> {
        let chip: (name: String, device: String, lines: Int)
        do {
            chip = try GPIOLineRequest.chip(descriptor, line: offset, role: role)
        } catch {
            return .failure(error)
        }
        var info = oht50_gpio_line_info()
        guard oht50_gpio_line_info(descriptor, UInt32(offset), &info) == 0 else {
            let e = errno
            return .failure(
                HardwareError(
                    role: role, device: "\(chip.name) line \(offset)",
                    problem: SystemCallError(call: "gpiod line info", subject: "\(chip.name) line \(offset)", errno: e).description,
                    hint: "check that this user may use \(descriptor) (group gpio, udev rule)"))
        }
        let consumer = GPIOLineRequest.string(info.consumer)
        return .success(
            GPIOLineInfo(
                chip: chip.name, device: chip.device, lines: chip.lines, used: info.used != 0, consumer: consumer.isEmpty ? nil : consumer,
                output: info.output != 0))
    }
}
