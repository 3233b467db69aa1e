import FoundationEssentials
import OHT50Core
import OHT50IO
import OHT50Runtime

#if canImport(Glibc)
import Glibc
#endif

/// One finding of `oht50d doctor`: what was checked, what was found, and the command that fixes it.
struct DoctorCheck: Encodable, Sendable {
    enum Status: String, Encodable, Sendable, Comparable {
        case ok, warn, fail
        static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
    }

    var name: String
    var status: Status
    var found: String
    var fix: String?
}

/// The bring-up checks. Each reads what the machine and the config say and changes nothing: a running
/// daemon is never disturbed (the serial port is opened, without a lock, only when nobody holds it).
struct Doctor {
    var config: FirmwareConfig
    /// The config's own check, made by the caller (the file may not parse: then `config` is the defaults).
    var configCheck: DoctorCheck
    var sysfsRoot = "/sys"
    var procRoot = "/proc"
    /// systemd's manager configuration and its drop-in directories, lowest precedence first.
    var systemConf = "/etc/systemd/system.conf"
    var systemConfDropIns = ["/usr/lib/systemd/system.conf.d", "/run/systemd/system.conf.d", "/etc/systemd/system.conf.d"]

    func run() -> [DoctorCheck] {
        var checks = [configCheck, kernel()]
        checks += cpus()
        checks.append(limits())
        checks += serialPort()
        checks += hostWatchdogs()
        checks.append(hardwareWatchdog())
        checks += gpio()
        checks.append(dataDirectory())
        checks.append(https())
        return checks
    }

    // MARK: kernel and CPUs

    var isPreemptRT: Bool { read("\(sysfsRoot)/kernel/realtime")?.trimmed == "1" }

    func kernel() -> DoctorCheck {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let version = withUnsafeBytes(of: name.version) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if isPreemptRT {
            return DoctorCheck(name: "kernel", status: .ok, found: "PREEMPT_RT (\(release))")
        }
        let model =
            version.contains("PREEMPT_DYNAMIC") ? "PREEMPT_DYNAMIC" : version.contains("PREEMPT") ? "PREEMPT" : "no forced preemption"
        return DoctorCheck(
            name: "kernel", status: .warn,
            found: "\(model), not PREEMPT_RT (\(release)): the safety loop's wake-up can wait for kernel code",
            fix: "install a PREEMPT_RT kernel (Debian: apt install linux-image-rt-arm64, or the board vendor's RT build) and reboot into it"
        )
    }

    func cpus() -> [DoctorCheck] {
        let (online, isolated) = CPUAffinity.topology(sysfs: "\(sysfsRoot)/devices/system/cpu")
        let plan = CPUPlacement.plan(config.cpu, online: online, isolated: isolated)
        let rt = Array(Set((plan.safety ?? []) + (plan.bus ?? []))).sorted()
        let describe =
            "safety thread \(plan.safety.map(CPUList.format) ?? "not pinned"), bus thread \(plan.bus.map(CPUList.format) ?? "not pinned"), "
            + "async side \(plan.async.map(CPUList.format) ?? "not pinned") (\(plan.basis))"
        var checks: [DoctorCheck] = []
        if !plan.missing.isEmpty {
            checks.append(
                DoctorCheck(
                    name: "cpus", status: .fail,
                    found: "cpu.* names CPUs \(CPUList.format(plan.missing)) that are not online (online: \(CPUList.format(online)))",
                    fix: "set cpu.safety / cpu.bus / cpu.async to online CPUs, or auto"))
        }
        if !isolated.isEmpty {
            checks.append(
                DoctorCheck(name: "cpus", status: .ok, found: "\(online.count) online, isolated \(CPUList.format(isolated)); \(describe)"))
        } else if online.count >= 2 {
            let suggestion = CPUList.format(online.count >= 4 ? Array(online.suffix(2)) : [online.last!])
            checks.append(
                DoctorCheck(
                    name: "cpus", status: .warn,
                    found: "\(online.count) online, none isolated: ordinary tasks share the RT threads' CPUs; \(describe)",
                    fix:
                        "add isolcpus=\(suggestion) nohz_full=\(suggestion) rcu_nocbs=\(suggestion) to the kernel command line "
                        + "(Armbian: extraargs= in /boot/armbianEnv.txt) and reboot"
                ))
        } else {
            checks.append(
                DoctorCheck(
                    name: "cpus", status: .warn, found: "one CPU: the RT threads share it with everything",
                    fix: "run the vehicle on a multi-core board"))
        }
        checks.append(governor(rt.isEmpty ? online : rt))
        checks.append(idleStates())
        return checks
    }

    func governor(_ cpus: [Int]) -> DoctorCheck {
        var slow: [String] = []
        var seen = 0
        for cpu in cpus {
            guard
                let governor = read("\(sysfsRoot)/devices/system/cpu/cpu\(cpu)/cpufreq/scaling_governor")?
                    .trimmed
            else { continue }
            seen += 1
            if governor != "performance" { slow.append("cpu\(cpu): \(governor)") }
        }
        if seen == 0 {
            return DoctorCheck(name: "governor", status: .ok, found: "no cpufreq control on CPUs \(CPUList.format(cpus)) (fixed frequency)")
        }
        if slow.isEmpty {
            return DoctorCheck(name: "governor", status: .ok, found: "performance on CPUs \(CPUList.format(cpus))")
        }
        return DoctorCheck(
            name: "governor", status: .warn, found: "\(slow.joined(separator: ", ")): frequency changes add wake-up latency",
            fix:
                "echo performance | tee /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor (persist: GOVERNOR=performance in "
                + "/etc/default/cpufrequtils)"
        )
    }

    func idleStates() -> DoctorCheck {
        let states =
            (try? FileManager.default.contentsOfDirectory(atPath: "\(sysfsRoot)/devices/system/cpu/cpu0/cpuidle"))?
            .filter { $0.hasPrefix("state") }.count ?? 0
        let path = CPULatencyRequest.path
        if access(path, W_OK) == 0 || !FileManager.default.fileExists(atPath: path) && states == 0 {
            return DoctorCheck(
                name: "idle-states", status: .ok,
                found: states == 0
                    ? "no cpuidle states" : "\(states) cpuidle states; \(path) is writable: the daemon holds it at 0 µs while it runs")
        }
        return DoctorCheck(
            name: "idle-states", status: .warn,
            found:
                "\(states) cpuidle states and \(path) "
                + "\(FileManager.default.fileExists(atPath: path) ? "is not writable here" : "does not exist"): deep idle states "
                + "add wake-up latency",
            fix:
                "run as the service (root or the unit's rights) so the daemon can hold \(path), or add cpuidle.off=1 to the kernel "
                + "command line"
        )
    }

    // MARK: limits

    func limits() -> DoctorCheck {
        var rtprio = rlimit()
        var memlock = rlimit()
        // RLIMIT_RTPRIO (14) and RLIMIT_MEMLOCK (8): Linux's numbers; Glibc's enum does not import.
        getrlimit(__rlimit_resource_t(14), &rtprio)
        getrlimit(__rlimit_resource_t(8), &memlock)
        let unlimited = rlim_t.max  // RLIM_INFINITY, which imports as a signed -1
        func show(_ value: rlim_t, bytes: Bool = false) -> String {
            value == unlimited ? "unlimited" : bytes ? "\(value / 1024) KiB" : "\(value)"
        }
        let here =
            "this process: RLIMIT_RTPRIO \(show(rtprio.rlim_cur)), RLIMIT_MEMLOCK "
            + "\(show(memlock.rlim_cur, bytes: true))\(geteuid() == 0 ? " (root)" : "")"
        guard let unitPath = ServiceUnit.installed, let unit = read(unitPath) else {
            let enough = geteuid() == 0 || (rtprio.rlim_cur >= 80 && memlock.rlim_cur == unlimited)
            return DoctorCheck(
                name: "limits", status: .warn,
                found:
                    "oht50-firmware.service is not installed; "
                    + "\(here)\(enough ? ": enough to run by hand" : ": the daemon would run without SCHED_FIFO or locked memory")",
                fix:
                    "install the package (tools/package, dpkg -i): its unit grants LimitRTPRIO=80 and LimitMEMLOCK=infinity, which let "
                    + "its own user take SCHED_FIFO and lock memory without any capability"
            )
        }
        let settings = unit.split(separator: "\n").map { $0.trimmed }
        func value(_ key: String) -> String? { settings.last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } }
        let prio = value("LimitRTPRIO").flatMap(Int.init) ?? 0
        let lock = value("LimitMEMLOCK") ?? "default"
        // The limits alone let the unit's user take SCHED_FIFO up to LimitRTPRIO and lock all its memory: no
        // capability is needed (issue 32 dropped them). RestrictRealtime=yes would refuse SCHED_FIFO anyway.
        let restricted = value("RestrictRealtime") == "yes"
        let found =
            "\(unitPath): User=\(value("User") ?? "root"), LimitRTPRIO=\(prio), LimitMEMLOCK=\(lock)"
            + (restricted ? ", RestrictRealtime=yes" : "")
        if prio >= Int(RealtimeStart.safetyPriority) && lock == "infinity" && !restricted {
            return DoctorCheck(name: "limits", status: .ok, found: found)
        }
        return DoctorCheck(
            name: "limits", status: .fail,
            found: "\(found): the safety thread needs SCHED_FIFO \(RealtimeStart.safetyPriority) and locked memory",
            fix:
                "restore the shipped unit (drop-ins: systemctl cat oht50-firmware) with LimitRTPRIO=\(RealtimeStart.safetyPriority), "
                + "LimitMEMLOCK=infinity and RestrictRealtime=no"
        )
    }

    // MARK: serial port

    func serialPort() -> [DoctorCheck] {
        let port = config.bus.port
        guard !config.modules.isEmpty else {
            return [DoctorCheck(name: "serial-port", status: .ok, found: "no modules configured: no bus")]
        }
        guard !port.hasPrefix("tcp://") else {
            return [DoctorCheck(name: "serial-port", status: .ok, found: "\(port): Modbus TCP gateway (not checked)")]
        }
        var info = stat()
        guard stat(port, &info) == 0 else {
            return [
                DoctorCheck(
                    name: "serial-port", status: .fail, found: "\(port): \(String(cString: strerror(errno)))",
                    fix:
                        "check the adapter and the udev rule that names it (ls -l /dev/ttyS* /dev/ttyUSB* /dev/ttyOHT485; udevadm info "
                        + "\(port)), or set bus.port"
                )
            ]
        }
        guard info.st_mode & S_IFMT == S_IFCHR else {
            return [
                DoctorCheck(
                    name: "serial-port", status: .fail, found: "\(port) is not a character device",
                    fix: "set bus.port to the RS485 adapter's device")
            ]
        }
        let resolved = PortHolder.target(of: port)
        var checks: [DoctorCheck] = []
        let holder = PortHolder.describe(port)
        if let holder {
            let daemon = holder.hasPrefix("oht50d ")
            checks.append(
                DoctorCheck(
                    name: "serial-port", status: daemon ? .ok : .fail,
                    found: daemon
                        ? "\(port) (\(resolved)): held by the running daemon, \(holder)"
                        : "\(port) (\(resolved)) is held by \(holder): the daemon would get EBUSY",
                    fix: daemon
                        ? nil
                        : "stop it (a getty: systemctl disable --now serial-getty@\(PathName.lastComponent(resolved)); "
                            + "ModemManager: systemctl disable --now ModemManager)"
                ))
        } else {
            checks.append(DoctorCheck(name: "serial-port", status: .ok, found: "\(port) (\(resolved)): present, nobody holds it"))
            checks.append(rs485Mode(port))
        }
        checks.append(serialInterrupt(PathName.lastComponent(resolved)))
        return checks
    }

    /// TIOCGRS485 only reads the mode: whether the kernel driver can switch the transceiver.
    func rs485Mode(_ port: String) -> DoctorCheck {
        let fd = open(port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            return DoctorCheck(
                name: "rs485-mode", status: e == EACCES ? .warn : .fail, found: "cannot open \(port): \(String(cString: strerror(e)))",
                fix: e == EACCES ? "run doctor as root or as a member of dialout" : "check the adapter")
        }
        defer { close(fd) }
        var settings = [UInt32](repeating: 0, count: 8)  // struct serial_rs485: flags first
        let tiocgrs485: UInt = 0x542E
        if ioctl(fd, tiocgrs485, &settings) == 0 {
            let enabled = settings[0] & 1 != 0
            return DoctorCheck(
                name: "rs485-mode", status: .ok,
                found: "the driver has an RS485 mode (now \(enabled ? "on" : "off"); the daemon turns it on)")
        }
        return DoctorCheck(
            name: "rs485-mode", status: .warn,
            found: "the driver has no RS485 mode (\(String(cString: strerror(errno)))): the transceiver must switch direction by itself",
            fix:
                "use an adapter with automatic direction control, or a UART whose driver supports TIOCSRS485 (device tree: "
                + "linux,rs485-enabled-at-boot-time)"
        )
    }

    /// On PREEMPT_RT the UART's interrupt runs in a thread `irq/N-…`; below the bus thread's priority it
    /// can be starved by it, and the bus sees timeouts (a false comm_loss).
    func serialInterrupt(_ tty: String) -> DoctorCheck {
        guard let irqText = read("\(sysfsRoot)/class/tty/\(tty)/irq"),
            let irq = Int(irqText.trimmed), irq > 0
        else {
            return DoctorCheck(name: "serial-irq", status: .ok, found: "\(tty) has no interrupt of its own (USB adapter or pty)")
        }
        guard isPreemptRT else {
            return DoctorCheck(name: "serial-irq", status: .ok, found: "\(tty) on IRQ \(irq); interrupts are not threaded (not PREEMPT_RT)")
        }
        let threads = ((try? FileManager.default.contentsOfDirectory(atPath: procRoot)) ?? []).compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry), let comm = read("\(procRoot)/\(entry)/comm")?.trimmed,
                comm.hasPrefix("irq/\(irq)-")
            else { return nil }
            return (pid, comm)
        }
        guard let (pid, comm) = threads.first else {
            return DoctorCheck(name: "serial-irq", status: .ok, found: "\(tty) on IRQ \(irq), which is not threaded (IRQF_NO_THREAD)")
        }
        var parameter = sched_param()
        sched_getparam(pid, &parameter)
        let bus = RealtimeStart.busPriority
        if parameter.sched_priority > bus {
            return DoctorCheck(
                name: "serial-irq", status: .ok,
                found: "\(comm) (pid \(pid)) at SCHED_FIFO \(parameter.sched_priority), above the bus thread (\(bus))")
        }
        return DoctorCheck(
            name: "serial-irq", status: .warn,
            found:
                "\(comm) (pid \(pid)) at SCHED_FIFO \(parameter.sched_priority), not above the bus thread (\(bus)): under load the bus "
                + "thread can starve the UART and see timeouts",
            fix: "chrt -f -p \(bus + 5) \(pid) (persist: a udev rule or rtirq with RTIRQ_NAME_LIST=\"\(tty)\")")
    }

    // MARK: Drives

    /// DESIGN: a drive whose host watchdog (0x0D) is 0 keeps its last speed when the board hangs with
    /// its GPIO frozen — only the hardware E-stop stops it then. The configured value is what the daemon
    /// writes at start (the daemon holds the port, so the drive itself is not asked here).
    func hostWatchdogs() -> [DoctorCheck] {
        config.modules.filter { $0.type == .motor }.map { drive in
            let name = "host-watchdog motor@\(drive.address)"
            guard drive.hostWatchdogMs > 0 else {
                return DoctorCheck(
                    name: name, status: .warn,
                    found: "modules[address \(drive.address)].host_watchdog_ms is 0: the drive keeps turning if the board hangs",
                    fix: "set host_watchdog_ms (e.g. 200) for this drive in /opt/oht50/config/firmware.yaml, then systemctl restart "
                        + "oht50-firmware")
            }
            return DoctorCheck(
                name: name, status: .ok,
                found: "\(drive.hostWatchdogMs) ms: the drive stops itself when the daemon's writes stop for that long")
        }
    }

    // MARK: hardware watchdog

    /// A kernel hang ends no process: `ExecStopPost` never runs and the motion-enable line keeps its
    /// level. Only a hardware watchdog that systemd pets (`RuntimeWatchdogSec=`) reboots the board
    /// (the vehicle's RK3588 has one, `dw_wdt`); the drives' host watchdogs stop them meanwhile.
    func hardwareWatchdog() -> DoctorCheck {
        let fix = "set RuntimeWatchdogSec=10s in /etc/systemd/system.conf (README \"When the daemon itself fails\"), then reboot"
        let devices =
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(sysfsRoot)/class/watchdog")) ?? [])
            .filter { $0.hasPrefix("watchdog") }.sorted()
        let runtime = systemdRuntimeWatchdog()
        let configured = runtime.map { "RuntimeWatchdogSec=\($0.value) (\($0.file))" } ?? "RuntimeWatchdogSec is not set"
        guard let device = devices.first else {
            return DoctorCheck(
                name: "hardware-watchdog", status: .warn,
                found: "no watchdog device (\(sysfsRoot)/class/watchdog is empty); \(configured): a kernel hang would leave the board hung",
                fix: "enable the SoC's watchdog in the kernel and device tree (RK3588: dw_wdt), then \(fix)")
        }
        let base = "\(sysfsRoot)/class/watchdog/\(device)"
        let identity = read("\(base)/identity")?.trimmed ?? "unknown"
        let timeout = read("\(base)/timeout")?.trimmed
        let state = read("\(base)/state")?.trimmed
        let described = "/dev/\(device) (\(identity)\(timeout.map { ", timeout \($0) s" } ?? "")), \(state ?? "state unknown")"
        switch (runtime, state) {
        case (.some, "active"), (.some, nil):
            return DoctorCheck(name: "hardware-watchdog", status: .ok, found: "\(described); systemd: \(configured)")
        case (.some, _):
            return DoctorCheck(
                name: "hardware-watchdog", status: .warn,
                found: "\(described); systemd: \(configured), but nobody has the device open",
                fix: "systemctl daemon-reexec (systemd reads RuntimeWatchdogSec= at start), or reboot")
        case (nil, "active"):
            return DoctorCheck(
                name: "hardware-watchdog", status: .warn,
                found: "\(described) by another program; systemd: \(configured)",
                fix: "let systemd pet it instead of a watchdog daemon: \(fix)")
        case (nil, _):
            return DoctorCheck(
                name: "hardware-watchdog", status: .warn, found: "\(described), nobody pets it; systemd: \(configured)", fix: fix)
        }
    }

    /// systemd's `RuntimeWatchdogSec=` as its configuration files set it: system.conf, then the
    /// drop-ins in name order (the last assignment wins); nil when unset, 0 or off.
    func systemdRuntimeWatchdog() -> (value: String, file: String)? {
        var files = [systemConf]
        var dropIns: [(name: String, path: String)] = []
        for dir in systemConfDropIns {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".conf") {
                // A drop-in of the same name in a later directory (/etc) hides the earlier one.
                dropIns.removeAll { $0.name == name }
                dropIns.append((name, "\(dir)/\(name)"))
            }
        }
        files += dropIns.sorted { $0.name < $1.name }.map(\.path)
        var found: (value: String, file: String)?
        for file in files {
            for line in (read(file) ?? "").split(separator: "\n") {
                let text = line.trimmed
                guard text.hasPrefix("RuntimeWatchdogSec=") else { continue }
                let value = String(text.dropFirst("RuntimeWatchdogSec=".count)).trimmed
                found = ["", "0", "off"].contains(value) ? nil : (value, file)
            }
        }
        return found
    }

    // MARK: GPIO

    func gpio() -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let hardware = VehicleHardware(config)
        for input in hardware.inputs {
            let line = input.settings
            checks.append(lineCheck(input.role.key, line.backend, chip: line.chip, line: line.line, path: line.sysfsPath, output: false))
        }
        for output in hardware.outputs {
            let line = output.settings
            checks.append(lineCheck(output.role.key, line.backend, chip: line.chip, line: line.line, path: line.sysfsPath, output: true))
        }
        let gpiod =
            hardware.inputs.contains { $0.settings.backend == .gpiod } || hardware.outputs.contains { $0.settings.backend == .gpiod }
        if gpiod { checks.insert(Self.gpiodLibrary(), at: 0) }
        return checks
    }

    /// Which libgpiod the gpiod backend uses here (one package carries both: bookworm has v1, trixie v2).
    static func gpiodLibrary() -> DoctorCheck {
        guard GPIODLibrary.api != nil else {
            return DoctorCheck(
                name: "libgpiod", status: .fail, found: GPIODLibrary.description,
                fix: "apt install libgpiod3 (Debian trixie or newer) or libgpiod2 (bookworm); or use backend sysfs")
        }
        return DoctorCheck(name: "libgpiod", status: .ok, found: GPIODLibrary.description)
    }

    /// One input or output line, by its backend.
    func lineCheck(_ key: String, _ backend: LineBackend, chip: String?, line: Int?, path: String?, output: Bool) -> DoctorCheck {
        switch backend {
        case .gpiod: gpiodLine(key, chip: chip ?? "?", line: line ?? -1, output: output)
        case .sysfs: sysfsLine(key, path: path ?? "", output: output)
        case .simulated: Self.simulatedLine(key)
        }
    }

    /// The configuration loader refuses `simulated`; should one get here anyway, it is no vehicle.
    static func simulatedLine(_ role: String) -> DoctorCheck {
        DoctorCheck(
            name: "gpio \(role)", status: .fail, found: "backend simulated: no line at all",
            fix: "use backend gpiod or sysfs; the simulated vehicle is oht50d --simulate")
    }

    func gpiodLine(_ role: String, chip: String, line: Int, output: Bool) -> DoctorCheck {
        switch GPIOLineInfo.inspect(chip: chip, line: line, role: role) {
        case .failure(let error):
            return DoctorCheck(name: "gpio \(role)", status: .fail, found: "\(error.device): \(error.problem)", fix: error.hint)
        case .success(let info):
            let place = "\(info.chip) line \(line)"
            guard info.used else {
                return DoctorCheck(name: "gpio \(role)", status: .ok, found: "\(place): free (now \(info.output ? "output" : "input"))")
            }
            if info.consumer == "oht50d" {
                let right = info.output == output
                return DoctorCheck(
                    name: "gpio \(role)", status: right ? .ok : .fail,
                    found: "\(place): held by the running daemon as \(info.output ? "output" : "input")",
                    fix: right ? nil : "two config entries name the same line")
            }
            return DoctorCheck(
                name: "gpio \(role)", status: .fail,
                found: "\(place) is held by \(info.consumer.map { "\"\($0)\"" } ?? "another user (a sysfs export?)")",
                fix:
                    "free it: stop that program, or echo N > /sys/class/gpio/unexport for a sysfs export "
                    + "(`\(GPIODLibrary.gpioinfo(info.device))` shows the consumer)")
        }
    }

    func sysfsLine(_ role: String, path: String, output: Bool) -> DoctorCheck {
        guard FileManager.default.fileExists(atPath: path) else {
            return DoctorCheck(
                name: "gpio \(role)", status: .fail, found: "\(path) does not exist",
                fix:
                    "oht50d export-gpio exports it (the package's oht50-gpio-export.service runs it at boot: systemctl status "
                    + "oht50-gpio-export), or use backend: gpiod"
            )
        }
        guard access(path, output ? W_OK : R_OK) == 0 else {
            return DoctorCheck(
                name: "gpio \(role)", status: .fail, found: "\(path) is not \(output ? "writable" : "readable") here",
                fix:
                    "oht50d export-gpio (as root, at boot by oht50-gpio-export.service) makes it group gpio rw; the service user is in "
                    + "group gpio"
            )
        }
        let directionPath = PathName.join(PathName.directory(of: path), "direction")
        guard let direction = read(directionPath)?.trimmed else {
            return DoctorCheck(name: "gpio \(role)", status: .ok, found: "\(path): present (no direction file: not a kernel sysfs GPIO)")
        }
        let isOutput = direction == "out" || direction == "high" || direction == "low"
        guard isOutput == output else {
            return DoctorCheck(
                name: "gpio \(role)", status: .fail, found: "\(path): direction is \(direction)",
                fix: "echo \(output ? "out" : "in") > \(directionPath)")
        }
        var info = stat()
        if stat(directionPath, &info) == 0 && (info.st_uid != 0 || info.st_mode & 0o022 != 0) {
            return DoctorCheck(
                name: "gpio \(role)", status: .warn,
                found:
                    "\(directionPath) is writable by others than root (mode \(String(info.st_mode & 0o777, radix: 8)), uid \(info.st_uid)): "
                    + "whoever may write it can turn the line's direction and drive it",
                fix: "oht50d export-gpio (as root) keeps direction root's; an older one gave it to group gpio")
        }
        let edge = output ? nil : read(PathName.join(PathName.directory(of: path), "edge"))?.trimmed
        if let edge, edge != "both" {
            return DoctorCheck(
                name: "gpio \(role)", status: .warn, found: "\(path): \(direction), edge \(edge): a press shorter than a cycle is not seen",
                fix: "oht50d export-gpio (as root) sets edge to both, or echo both > \(PathName.join(PathName.directory(of: path), "edge"))"
            )
        }
        return DoctorCheck(name: "gpio \(role)", status: .ok, found: "\(path): \(direction)\(edge.map { ", edge \($0)" } ?? "")")
    }

    // MARK: data directory

    func dataDirectory() -> DoctorCheck {
        let dir = config.storage.dataDir
        var isDirectory: Bool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) else {
            // The daemon creates it with its parents: what matters is the nearest directory that exists.
            var existing = PathName.directory(of: dir)
            while !existing.isEmpty && existing != "/" && !FileManager.default.fileExists(atPath: existing) {
                existing = PathName.directory(of: existing)
            }
            if existing.isEmpty { existing = "/" }
            let creatable = access(existing, W_OK) == 0
            return DoctorCheck(
                name: "data-dir", status: creatable ? .warn : .fail,
                found:
                    "\(dir) does not "
                    + "exist\(creatable ? " (the daemon creates it in \(existing))" : ", and \(existing) is not writable here")",
                fix: "install -d -o oht50 -g oht50 \(dir)")
        }
        guard isDirectory else {
            return DoctorCheck(
                name: "data-dir", status: .fail, found: "\(dir) is not a directory", fix: "set storage.data_dir to a directory")
        }
        let probe = "\(dir)/.doctor-\(getpid())"
        let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return DoctorCheck(
                name: "data-dir", status: .fail, found: "\(dir) is not writable here: \(String(cString: strerror(errno)))",
                fix: "chown -R oht50:oht50 \(dir) (and run doctor as the service user or root)")
        }
        close(fd)
        unlink(probe)
        var fs = statvfs()
        guard statvfs(dir, &fs) == 0 else { return DoctorCheck(name: "data-dir", status: .ok, found: "\(dir): writable") }
        let freeMB = Double(fs.f_bavail) * Double(fs.f_frsize) / 1_048_576
        let text = "\(dir): writable, \(String(printf: "%.0f", freeMB)) MB free"
        if freeMB < 10 {
            return DoctorCheck(
                name: "data-dir", status: .fail, found: text + ": events could not be stored", fix: "free space on that filesystem")
        }
        if freeMB < 100 {
            return DoctorCheck(name: "data-dir", status: .warn, found: text, fix: "free space, or lower storage.telemetry_retention_days")
        }
        return DoctorCheck(name: "data-dir", status: .ok, found: text)
    }

    // MARK: HTTPS

    /// `http.tls`: the files load and match, and how long the certificate has left (a warning 30 days
    /// before it runs out, a failure once it has: clients refuse it). Without TLS, what a `bind` the
    /// network reaches means for the token.
    func https(now: time_t = time(nil)) -> DoctorCheck {
        let settingUp = "set http.tls.cert and http.tls.key (the package made /opt/oht50/tls/vehicle.crt and vehicle.key)"
        guard let tls = config.http.tls else {
            if let exposure = config.http.plainHTTPExposure {
                return DoctorCheck(name: "https", status: .warn, found: exposure, fix: settingUp)
            }
            return DoctorCheck(name: "https", status: .ok, found: "plain HTTP on \(config.http.bind) (this machine only); no http.tls")
        }
        let checked: HTTPSecurity.Checked
        do {
            checked = try HTTPSecurity.check(tls)
        } catch {
            return DoctorCheck(name: "https", status: .fail, found: error.description, fix: "correct the file or the key named")
        }
        let days = (Int(checked.notValidAfter) - Int(now)) / 86_400
        let renew = HTTPSecurity.renewal
        if checked.notValidAfter < now {
            return DoctorCheck(
                name: "https", status: .fail, found: "http.tls.cert \(tls.cert) expired on \(checked.expires): clients refuse it",
                fix: renew)
        }
        let found =
            "http.tls.cert \(tls.cert) valid until \(checked.expires) (\(days) days)"
            + (tls.clientCA.map { "; clients need a certificate signed by \($0)" } ?? "")
        return DoctorCheck(name: "https", status: days < 30 ? .warn : .ok, found: found, fix: days < 30 ? renew : nil)
    }

    private func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
}
