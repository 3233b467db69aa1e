import CGPIOD

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about one GPIO line, read without requesting it (`gpioinfo`'s view): nothing a
/// running daemon holds is disturbed.
public struct GPIOLineInfo: Sendable, Equatable {
    /// "gpiochip1 [rockchip,gpio1]".
    public var chip: String
    public var lines: Int
    public var used: Bool
    public var consumer: String?
    public var output: Bool

    /// The line, or why it cannot be seen: no such chip, no permission, no such line.
    public static func inspect(chip descriptor: String, line offset: Int) -> Result<GPIOLineInfo, HardwareError> {
        errno = 0
        let opened = descriptor.hasPrefix("/") ? gpiod_chip_open(descriptor) : gpiod_chip_open_lookup(descriptor)
        guard let chip = opened else {
            let e = errno == 0 ? ENOENT : errno
            let chips = GPIOLineRequest.availableChips()
            return .failure(HardwareError(
                role: "gpio", device: descriptor,
                problem: e == ENOENT ? "no such GPIO chip" : SystemCallError(call: "gpiod_chip_open", subject: descriptor, errno: e).description,
                hint: chips.isEmpty ? "no /dev/gpiochip* exists on this machine" : "chips present: \(chips.joined(separator: ", "))"))
        }
        defer { gpiod_chip_close(chip) }
        let count = Int(gpiod_chip_num_lines(chip))
        let name = "\(String(cString: gpiod_chip_name(chip))) [\(String(cString: gpiod_chip_label(chip)))]"
        guard offset >= 0, offset < count, let line = gpiod_chip_get_line(chip, UInt32(offset)) else {
            return .failure(HardwareError(
                role: "gpio", device: "\(name) line \(offset)", problem: "the chip has \(count) lines (0–\(count - 1))",
                hint: "check the offset with `gpioinfo \(descriptor)`"))
        }
        return .success(GPIOLineInfo(
            chip: name, lines: count, used: gpiod_line_is_used(line), consumer: gpiod_line_consumer(line).map { String(cString: $0) },
            output: gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT))
    }
}
