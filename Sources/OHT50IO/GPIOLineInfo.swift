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

    /// The line, or why it cannot be seen: no such chip, no permission, no such line (the same errors,
    /// with the same hints, as the daemon's own request).
    public static func inspect(chip descriptor: String, line offset: Int, role: String = "gpio") -> Result<GPIOLineInfo, HardwareError> {
        let opened: (chip: OpaquePointer, line: OpaquePointer, chipName: String)
        do {
            opened = try GPIOLineRequest.openLine(chip: descriptor, line: offset, role: role)
        } catch {
            return .failure(error)
        }
        defer { gpiod_chip_close(opened.chip) }
        return .success(GPIOLineInfo(
            chip: opened.chipName, lines: Int(gpiod_chip_num_lines(opened.chip)), used: gpiod_line_is_used(opened.line),
            consumer: gpiod_line_consumer(opened.line).map { String(cString: $0) },
            output: gpiod_line_direction(opened.line) == GPIOD_LINE_DIRECTION_OUTPUT))
    }
}
