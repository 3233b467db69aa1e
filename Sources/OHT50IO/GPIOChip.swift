import CGPIOD
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// One line of a GPIO character device, requested through libgpiod v1 (Debian bookworm: 1.6). The chip
/// is named the way `gpiodetect` shows it: a name (`gpiochip1`), a path (`/dev/gpiochip1`), a label or
/// a number. Each request owns its chip handle, so closing one never releases another's line.
final class GPIOLineRequest: @unchecked Sendable {
    let chip: OpaquePointer
    let line: OpaquePointer
    /// "gpiochip1 [rockchip,gpio1] line 27", for logs and status.
    let name: String

    static let consumer = "oht50d"

    enum Direction {
        /// Input with both-edge events; the event fd is made non-blocking.
        case bothEdges
        case output(initial: Bool)
    }

    /// Opens the chip, finds the line and requests it; every failure names the chip, the line and what
    /// to check, for exit 69.
    init(chip descriptor: String, line offset: Int, direction: Direction, role: String) throws(HardwareError) {
        let (chip, line, chipName) = try Self.openLine(chip: descriptor, line: offset, role: role)
        let status: Int32
        switch direction {
        case .bothEdges: status = gpiod_line_request_both_edges_events(line, Self.consumer)
        case .output(let initial): status = gpiod_line_request_output(line, Self.consumer, initial ? 1 : 0)
        }
        if status < 0 {
            let e = errno
            var problem = SystemCallError(call: "gpiod_line_request", subject: "\(chipName) line \(offset)", errno: e).description
            if e == EBUSY, gpiod_line_update(line) == 0, let holder = gpiod_line_consumer(line) {
                problem += "; it is held by \"\(String(cString: holder))\""
            }
            gpiod_chip_close(chip)
            throw HardwareError(
                role: role, device: "\(chipName) line \(offset)", problem: problem,
                hint: e == EBUSY
                    ? "stop whatever holds it (`gpioinfo \(descriptor)` shows the consumer; a sysfs export holds it too: echo N > /sys/class/gpio/unexport)"
                    : "check that this user may use \(descriptor) (group gpio, udev rule) and the line exists")
        }
        if case .bothEdges = direction {
            let fd = gpiod_line_event_get_fd(line)
            if fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 {
                let e = errno
                gpiod_chip_close(chip)
                throw HardwareError(
                    role: role, device: "\(chipName) line \(offset)",
                    problem: SystemCallError(call: "fcntl(O_NONBLOCK)", subject: "event fd", errno: e).description,
                    hint: "this is a kernel or libgpiod problem; report it with the kernel version")
            }
        }
        self.chip = chip
        self.line = line
        self.name = "\(chipName) line \(offset)"
    }

    deinit { gpiod_chip_close(chip) }

    /// Opens the chip and finds the line, without requesting it. The caller closes the chip. Every
    /// failure names the chip, the line and what to check.
    static func openLine(chip descriptor: String, line offset: Int, role: String) throws(HardwareError)
        -> (chip: OpaquePointer, line: OpaquePointer, chipName: String)
    {
        errno = 0
        // libgpiod's lookup only takes paths under /dev/; any other absolute path is opened as given.
        let opened = descriptor.hasPrefix("/") ? gpiod_chip_open(descriptor) : gpiod_chip_open_lookup(descriptor)
        guard let chip = opened else {
            throw Self.chipError(descriptor, errno: errno == 0 ? ENOENT : errno, role: role)
        }
        let lines = Int(gpiod_chip_num_lines(chip))
        let chipName = "\(String(cString: gpiod_chip_name(chip))) [\(String(cString: gpiod_chip_label(chip)))]"
        guard offset >= 0, offset < lines, let line = gpiod_chip_get_line(chip, UInt32(offset)) else {
            gpiod_chip_close(chip)
            throw HardwareError(
                role: role, device: "\(chipName) line \(offset)", problem: "the chip has \(lines) lines (0–\(lines - 1))",
                hint: "check the line offset with `gpioinfo \(descriptor)`")
        }
        return (chip, line, chipName)
    }

    private static func chipError(_ descriptor: String, errno e: Int32, role: String) -> HardwareError {
        let available = availableChips()
        let seen = available.isEmpty
            ? "no /dev/gpiochip* exists: the kernel has no GPIO character device (CONFIG_GPIO_CDEV) or no GPIO controller"
            : "chips present: \(available.joined(separator: ", "))"
        switch e {
        case EACCES, EPERM:
            return HardwareError(
                role: role, device: descriptor,
                problem: SystemCallError(call: "gpiod_chip_open_lookup", subject: descriptor, errno: e).description,
                hint: "this user may not open it: add it to group gpio (the unit's SupplementaryGroups) and check the udev rule for /dev/gpiochip*")
        case ENOENT:
            return HardwareError(
                role: role, device: descriptor, problem: "no such GPIO chip (by name, path, label or number)",
                hint: "\(seen); `gpiodetect` lists names and labels")
        case ENODEV, ENOTTY:
            return HardwareError(
                role: role, device: descriptor, problem: "exists but is not a GPIO chip character device",
                hint: "\(seen); `gpiodetect` lists names and labels")
        default:
            return HardwareError(
                role: role, device: descriptor,
                problem: SystemCallError(call: "gpiod_chip_open_lookup", subject: descriptor, errno: e).description,
                hint: seen)
        }
    }

    /// `gpiochipN` entries of /dev, sorted.
    static func availableChips() -> [String] {
        guard let dir = opendir("/dev") else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
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
    private let eventFD: Int32
    /// Preallocated: the RT thread reads into it.
    private let buffer: UnsafeMutablePointer<gpiod_line_event>
    private static let bufferCount = 16

    public init(chip: String, line: Int, activeLow: Bool) throws(HardwareError) {
        request = try GPIOLineRequest(chip: chip, line: line, direction: .bothEdges, role: "E-stop input (estop.chip, estop.line)")
        self.activeLow = activeLow
        eventFD = gpiod_line_event_get_fd(request.line)
        buffer = .allocate(capacity: Self.bufferCount)
        buffer.initialize(repeating: gpiod_line_event(), count: Self.bufferCount)
    }

    deinit { buffer.deallocate() }

    public func sample() -> EStopSample {
        // The press edge: falling for an active-low line, rising otherwise.
        let pressType = Int32(activeLow ? GPIOD_LINE_EVENT_FALLING_EDGE : GPIOD_LINE_EVENT_RISING_EDGE)
        var edgeAt: UInt64 = 0
        var failed = false
        while true {
            let n = gpiod_line_event_read_fd_multiple(eventFD, buffer, UInt32(Self.bufferCount))
            if n < 0 {
                if errno != EAGAIN && errno != EINTR { failed = true }
                break
            }
            for index in 0..<Int(n) where buffer[index].event_type == pressType && edgeAt == 0 {
                let ts = buffer[index].ts
                edgeAt = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
            }
            if n < Self.bufferCount { break }
        }
        let value = gpiod_line_get_value(request.line)
        guard value >= 0, !failed else { return .unreadable }
        var sample = EStopSample.reading(raw: Int8(value), activeLow: activeLow)
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

    public func set(_ on: Bool) -> Bool { gpiod_line_set_value(request.line, on ? 1 : 0) == 0 }

    public func readBack() -> Bool? {
        switch gpiod_line_get_value(request.line) {
        case 0: false
        case 1: true
        default: nil
        }
    }

    public var description: String { "gpiod \(request.name)" }
}
