import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// Makes a configured `/sys/class/gpio/gpioN/value` line exist: the kernel exports GPIO sysfs lines
/// only when asked, so on a stock vehicle the runbook's `cat /sys/class/gpio/gpio59/value` and the
/// sysfs backend both need this first. Run as root at boot (`oht50-gpio-export.service`, before the
/// daemon): exports the line, sets its direction — an output as `low`, so it is driven 0 the moment it
/// becomes an output, never a glitch high —, sets an input's `edge` to `both` (the sysfs backend then
/// sees presses shorter than a cycle), and gives group `gpio` read and write on an output's `value`,
/// read on an input's; `direction` and `edge` stay root's. A line already exported and already in the
/// right direction keeps its level.
public enum SysfsGPIOExport {
    public struct Line: Sendable {
        /// "E-stop input (estop.sysfs_path)".
        public var role: String
        public var path: String
        public var output: Bool

        public init(role: String, path: String, output: Bool) {
            self.role = role
            self.path = path
            self.output = output
        }
    }

    /// Where the kernel's GPIO sysfs class lives: lines are exported through its `export` file.
    public static let classDirectory = "/sys/class/gpio"

    /// The GPIO number of `/sys/class/gpio/gpioN/value`; nil for any other file (the simulated vehicle's
    /// `<data-dir>/sim/gpio59/value`, a test's file), which is then none of this command's business.
    public static func gpio(of path: String) -> Int? {
        let prefix = classDirectory + "/gpio"
        let suffix = "/value"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.count > prefix.count + suffix.count else { return nil }
        let digits = path.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else { return nil }
        return number
    }

    /// What was done, one phrase; throws naming the line when it cannot be made usable.
    public static func export(_ line: Line, group: gid_t?) throws(HardwareError) -> String {
        guard let number = gpio(of: line.path) else {
            return "\(line.path) is not a \(classDirectory)/gpioN/value file: left as it is"
        }
        let directory = "\(classDirectory)/gpio\(number)"
        var done: [String] = []
        if !FileManager.default.fileExists(atPath: line.path) {
            try write("\(number)", to: "\(classDirectory)/export", line, number: number)
            // The kernel makes the directory during the write; udev may still be changing its owner.
            let deadline = ContinuousClock.now.advanced(by: .seconds(2))
            while !FileManager.default.fileExists(atPath: line.path) && ContinuousClock.now < deadline {
                usleep(10_000)
            }
            guard FileManager.default.fileExists(atPath: line.path) else {
                throw HardwareError(
                    role: line.role, device: line.path, problem: "GPIO \(number) was exported but \(line.path) did not appear",
                    hint: "check dmesg for the GPIO driver")
            }
            done.append("exported")
        }
        let current = (try? String(contentsOfFile: "\(directory)/direction", encoding: .utf8))?
            .trimmed
        let isOutput = current == "out"
        if isOutput != line.output {
            try write(line.output ? "low" : "in", to: "\(directory)/direction", line, number: number)
            done.append(line.output ? "direction out (driven 0)" : "direction in")
        } else {
            done.append("direction \(current ?? "?") kept")
        }
        if !line.output {
            // Every change raises POLLPRI on the value file: a press shorter than a cycle is seen. A line
            // without an interrupt refuses it; its level is still read every cycle.
            let edge = "\(directory)/edge"
            if (try? String(contentsOfFile: edge, encoding: .utf8))?.trimmed == "both" {
                done.append("edge both kept")
            } else {
                do {
                    try write("both", to: edge, line, number: number)
                    done.append("edge both")
                } catch {
                    done.append("edge both refused (\(error.problem)): a press shorter than a cycle is not seen")
                }
            }
        }
        if let group {
            // The daemon writes only outputs' values and reads inputs'; direction and edge stay root's, so
            // nobody in group gpio can turn an input into an output and drive it released.
            let value = "\(directory)/value"
            guard chown(value, uid_t.max, group) == 0, chmod(value, line.output ? 0o660 : 0o640) == 0 else {
                throw HardwareError(
                    role: line.role, device: value, problem: "cannot give group gpio access: \(String(cString: strerror(errno)))",
                    hint: "run oht50d export-gpio as root (the unit oht50-gpio-export does)")
            }
            for file in ["direction", "edge"] where FileManager.default.fileExists(atPath: "\(directory)/\(file)") {
                let path = "\(directory)/\(file)"
                guard chown(path, 0, 0) == 0, chmod(path, 0o644) == 0 else {
                    throw HardwareError(
                        role: line.role, device: path, problem: "cannot keep it root's: \(String(cString: strerror(errno)))",
                        hint: "run oht50d export-gpio as root (the unit oht50-gpio-export does)")
                }
            }
            done.append(contentsOf: [line.output ? "value group gpio rw" : "value group gpio r", "direction root's"])
        }
        return "GPIO \(number) " + done.joined(separator: ", ")
    }

    private static func write(_ text: String, to path: String, _ line: Line, number: Int) throws(HardwareError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw HardwareError(
                role: line.role, device: path, problem: String(cString: strerror(e)),
                hint: e == ENOENT
                    ? "this kernel has no GPIO sysfs (CONFIG_GPIO_SYSFS): use backend gpiod for this line"
                    : "run oht50d export-gpio as root (the unit oht50-gpio-export does)")
        }
        defer { close(fd) }
        let written = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard written >= 0 else {
            let e = errno
            let hint =
                switch e {
                case EBUSY: "GPIO \(number) is in use: another program (or the daemon with backend gpiod) requested it; see gpioinfo"
                case EINVAL: "GPIO \(number) does not exist here: a chip's first number is in /sys/class/gpio/gpiochip*/base"
                default: "see dmesg"
                }
            throw HardwareError(role: line.role, device: path, problem: "writing \(text): \(String(cString: strerror(e)))", hint: hint)
        }
    }
}
