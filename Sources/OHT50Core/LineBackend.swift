/// How an input or output line is reached.
public enum LineBackend: String, Sendable, CaseIterable, Equatable {
    /// libgpiod v1 character device: `chip` + `line`.
    case gpiod
    /// A `value` file read or written each cycle (`/sys/class/gpio/gpioN/value`, or any file).
    case sysfs
    /// In-process, for tests and benchmarks; never from a configuration (`ConfigMapping.lineBackend`).
    case simulated
}
