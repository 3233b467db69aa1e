internal import CGPIOD
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// The libgpiod this process loaded at run time (CGPIOD: libgpiod.so.3, the v2 API, if the system has it,
/// else libgpiod.so.2, v1), and the `gpioinfo` command line that goes with its tools.
public enum GPIODLibrary {
    /// 2 (v2, trixie's libgpiod3), 1 (v1, bookworm's libgpiod2), or nil when neither could be loaded.
    public static var api: Int? {
        let api = oht50_gpio_api()
        return api == 0 ? nil : Int(api)
    }

    /// "libgpiod 2.2.1 (v2 API, libgpiod.so.3)", or why none was loaded.
    public static var description: String {
        guard let api else { return "no libgpiod: \(String(cString: oht50_gpio_load_error()))" }
        let version = String(cString: oht50_gpio_library_version())
        let passedOver = String(cString: oht50_gpio_load_error())
        return "libgpiod \(version.isEmpty ? "?" : version) (v\(api) API, libgpiod.so.\(api == 2 ? 3 : 2))"
            + (passedOver.isEmpty ? "" : "; passed over: \(passedOver)")
    }

    /// `gpioinfo` for one chip with the tools of the loaded library: v1 takes the chip as an argument (a
    /// name, label, path or number), v2 only with `-c` (and then no label).
    public static func gpioinfo(_ chipName: String) -> String {
        api == 2 ? "gpioinfo -c \(chipName)" : "gpioinfo \(chipName)"
    }

    /// Neither libgpiod.so.3 nor libgpiod.so.2 could be loaded (errno ELIBACC from the shim).
    static func missing(role: String, device: String) -> HardwareError {
        HardwareError(
            role: role, device: device, problem: "libgpiod cannot be loaded (\(String(cString: oht50_gpio_load_error())))",
            hint: "install it: apt install libgpiod3 (Debian trixie or newer) or libgpiod2 (bookworm); or use backend sysfs")
    }
}

/// One line of a GPIO character device, requested through libgpiod (v1 on bookworm, v2 on trixie: the
/// CGPIOD shim loads whichever the system has). The chip is named the way `gpiodetect` shows it: a name (`gpiochip1`), a
/// path (`/dev/gpiochip1`), a label or a number. Each request owns its own handle, so releasing one
/// never releases another's line.
final class GPIOLineRequest: @unchecked Sendable {
    let handle: OpaquePointer
    /// "gpiochip1 [rockchip,gpio1] line 27", for logs and status.
    let name: String

    static let consumer = "oht50d"

    enum Direction {
        /// Input with both-edge events; the event fd is made non-blocking.
        case bothEdges
        case output(initial: Bool)
    }

    /// Finds the chip and the line and requests it; every failure names the chip, the line and what to
    /// check, for exit 69.
    init(chip descriptor: String, line offset: Int, direction: Direction, role: String) throws(HardwareError) {
        let chip = try Self.chip(descriptor, line: offset, role: role)
        errno = 0
        let requested: OpaquePointer? =
            switch direction {
            case .bothEdges: oht50_gpio_request_input_both_edges(descriptor, UInt32(offset), Self.consumer)
            case .output(let initial): oht50_gpio_request_output(descriptor, UInt32(offset), initial ? 1 : 0, Self.consumer)
            }
        guard let requested else {
            let e = errno == 0 ? EIO : errno
            if e == ELIBACC { throw GPIODLibrary.missing(role: role, device: "\(chip.name) line \(offset)") }
            var problem = SystemCallError(call: "gpiod line request", subject: "\(chip.name) line \(offset)", errno: e).description
            var info = oht50_gpio_line_info()
            if e == EBUSY, oht50_gpio_line_info(descriptor, UInt32(offset), &info) == 0, info.used != 0 {
                let holder = Self.string(info.consumer)
                if !holder.isEmpty { problem += "; it is held by \"\(holder)\"" }
            }
            throw HardwareError(
                role: role, device: "\(chip.name) line \(offset)", problem: problem,
                hint: e == EBUSY
                    ? "stop whatever holds it (`\(GPIODLibrary.gpioinfo(chip.device))` shows the consumer; a sysfs export holds it too: echo N > "
                        + "/sys/class/gpio/unexport)"
                    : "check that this user may use \(descriptor) (group gpio, udev rule) and the line exists")
        }
        handle = requested
        name = "\(chip.name) line \(offset)"
    }

    deinit { oht50_gpio_release(handle) }

    /// The chip's "name [label]" and line count, after checking that it has the line. Every failure names
    /// the chip, the line and what to check.
    /// `device` is the kernel's name of the chip (gpiochip1), `name` that and its label.
    static func chip(_ descriptor: String, line offset: Int, role: String) throws(HardwareError) -> (
        name: String, device: String, lines: Int
    ) {
        errno = 0
        var info = oht50_gpio_chip_info()
        guard oht50_gpio_chip_info(descriptor, &info) == 0 else {
            throw Self.chipError(descriptor, errno: errno == 0 ? ENOENT : errno, role: role)
        }
        let device = string(info.name)
        let name = "\(device) [\(string(info.label))]"
        let lines = Int(info.lines)
        guard offset >= 0, offset < lines else {
            throw HardwareError(
                role: role, device: "\(name) line \(offset)", problem: "the chip has \(lines) lines (0–\(lines - 1))",
                hint: "check the line offset with `\(GPIODLibrary.gpioinfo(device))`")
        }
        return (name, device, lines)
    }

    /// A fixed-size C string field as a Swift string.
    static func string<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func chipError(_ descriptor: String, errno e: Int32, role: String) -> HardwareError {
        let available = availableChips()
        let seen =
            available.isEmpty
            ? "no /dev/gpiochip* exists: the kernel has no GPIO character device (CONFIG_GPIO_CDEV) or no GPIO controller"
            : "chips present: \(available.joined(separator: ", "))"
        switch e {
        case ELIBACC:
            return GPIODLibrary.missing(role: role, device: descriptor)
        case EACCES, EPERM:
            return HardwareError(
                role: role, device: descriptor,
                problem: SystemCallError(call: "gpiod_chip_open", subject: descriptor, errno: e).description,
                hint:
                    "this user may not open it: add it to group gpio (the unit's SupplementaryGroups) and check the udev rule for "
                    + "/dev/gpiochip*", mayAppear: e == EACCES
            )
        case ENOENT:
            return HardwareError(
                role: role, device: descriptor, problem: "no such GPIO chip (by name, path, label or number)",
                hint: "\(seen); `gpiodetect` lists names and labels", mayAppear: true)
        case ENODEV, ENOTTY:
            return HardwareError(
                role: role, device: descriptor, problem: "exists but is not a GPIO chip character device",
                hint: "\(seen); `gpiodetect` lists names and labels")
        default:
            return HardwareError(
                role: role, device: descriptor,
                problem: SystemCallError(call: "gpiod_chip_open", subject: descriptor, errno: e).description,
                hint: seen)
        }
    }

    /// `gpiochipN` entries of /dev, sorted.
    static func availableChips() -> [String] {
        guard let dir = opendir("/dev") else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = string(entry.pointee.d_name)
            if name.hasPrefix("gpiochip") { names.append(name) }
        }
        return names.sorted()
    }
}

/// The `gpiod` E-stop backend: the line is requested with both-edge events; every cycle reads the level
/// and drains the pending events without blocking, so a press shorter than one cycle still trips and
/// its kernel timestamp (CLOCK_MONOTONIC since Linux 5.7) goes into the trip event.
public final class GPIODEStopInput: EStopInput, @unchecked Sendable {
    private let request: GPIOLineRequest
    private let activeLow: Bool
    /// Whether the line read released at the previous sample (at the request, before the first).
    private var releasedBefore: Bool

    public init(chip: String, line: Int, activeLow: Bool, role: String = "E-stop input (estop.chip, estop.line)") throws(HardwareError) {
        request = try GPIOLineRequest(chip: chip, line: line, direction: .bothEdges, role: role)
        self.activeLow = activeLow
        let value = oht50_gpio_get(request.handle)
        releasedBefore = value >= 0 && EStopSample.reading(raw: Int8(value), activeLow: activeLow).level == .released
    }

    public func sample() -> EStopSample {
        // The press edge: falling for an active-low line, rising otherwise. The shim reads the events
        // into a buffer allocated with the request: nothing here allocates or blocks.
        var pressEventAt: UInt64 = 0
        var anyEventAt: UInt64 = 0
        let drained = oht50_gpio_drain_edges(request.handle, activeLow ? 0 : 1, &pressEventAt, &anyEventAt)
        let value = oht50_gpio_get(request.handle)
        guard value >= 0, drained == 0 else {
            releasedBefore = false
            return .unreadable
        }
        var sample = EStopSample.reading(raw: Int8(value), activeLow: activeLow)
        let releasedNow = sample.level == .released
        let edgeAt = EStopSample.pressEdgeAt(
            pressEventAt: pressEventAt, anyEventAt: anyEventAt, releasedBefore: releasedBefore, releasedNow: releasedNow)
        releasedBefore = releasedNow
        if edgeAt != 0 {
            sample.pressEdge = true
            sample.edgeAt = edgeAt
        }
        return sample
    }

    public var description: String { "gpiod \(request.name) (\(activeLow ? "active-low" : "active-high"), both edges)" }
}

/// A `gpiod` output (motion-enable relay, heartbeat, LEDs): an output line request, starting low.
public final class GPIODOutputLine: OutputLine, @unchecked Sendable {
    private let request: GPIOLineRequest

    public init(chip: String, line: Int, role: String) throws(HardwareError) {
        request = try GPIOLineRequest(chip: chip, line: line, direction: .output(initial: false), role: role)
    }

    public func set(_ on: Bool) -> Bool { oht50_gpio_set(request.handle, on ? 1 : 0) == 0 }

    public func sense() -> Bool? { readBack() }

    public func readBack() -> Bool? {
        switch oht50_gpio_get(request.handle) {
        case 0: false
        case 1: true
        default: nil
        }
    }

    public var description: String { "gpiod \(request.name)" }
}
