/// A module type's registers as data, shared by the daemon, the simulator and rs485-probe
/// (DESIGN "RS485 / Modbus RTU"). Every module also has the identity block (`IdentityBlock`).
public struct RegisterMap: Sendable {
    public var type: ModuleType
    /// The holding registers the daemon polls, as one FC03 read.
    public var pollStart: UInt16
    public var pollCount: UInt16
    public var fields: [RegisterField]

    public static func of(_ type: ModuleType) -> RegisterMap {
        switch type {
        case .power: power
        case .motor: motor
        case .io, .dock, .dido, .analog:
            RegisterMap(type: type, pollStart: 0, pollCount: 8, fields: (0..<8).map { RegisterField(UInt16($0), "register_\($0)") })
        }
    }

    /// 0x02 power: voltage, current, temperature ×10; relay status and control; alarm bits.
    public static let power = RegisterMap(
        type: .power, pollStart: 0x0000, pollCount: 9,
        fields: [
            RegisterField(0x0000, "voltage", unit: "V", scale: 10),
            RegisterField(0x0001, "current", unit: "A", scale: 10),
            RegisterField(0x0002, "temperature", unit: "°C", scale: 10, signed: true),
            RegisterField(0x0004, "relay1_status"),
            RegisterField(0x0005, "relay2_status"),
            RegisterField(0x0006, "relay1_control", writable: true),
            RegisterField(0x0007, "relay2_control", writable: true),
            RegisterField(0x0008, "alarm_bits"),
        ])

    /// Power alarm bits 0–3 (over-voltage, under-voltage, over-current, over-temperature) trip;
    /// bits 4 (communication) and 5 (relay) are reported only.
    public static let powerTripMask: UInt16 = 0b1111
    public static let powerAlarmNames = ["over_voltage", "under_voltage", "over_current", "over_temperature", "communication", "relay"]

    /// 0x03 motor: a two-channel DC driver, channel 2 at +0x10, digital inputs 0x20–0x24, outputs 0x30–0x34.
    public static let motor: RegisterMap = {
        var fields: [RegisterField] = []
        for (channel, base) in [(1, UInt16(0x00)), (2, UInt16(0x10))] {
            let p = "motor\(channel)_"
            fields += [
                RegisterField(base + 0x00, p + "mode", writable: true),
                RegisterField(base + 0x01, p + "enable", writable: true),
                RegisterField(base + 0x02, p + "commanded_speed", writable: true),
                RegisterField(base + 0x03, p + "ramp_accel", writable: true),
                RegisterField(base + 0x04, p + "ramp_decel", writable: true),
                RegisterField(base + 0x05, p + "ramp_time", writable: true),
                RegisterField(base + 0x06, p + "actual_speed"),
                RegisterField(base + 0x07, p + "direction", writable: true),
                RegisterField(base + 0x08, p + "pid_kp", scale: 100, writable: true),
                RegisterField(base + 0x09, p + "pid_ki", scale: 100, writable: true),
                RegisterField(base + 0x0A, p + "pid_kd", scale: 100, writable: true),
                RegisterField(base + 0x0B, p + "status"),
                RegisterField(base + 0x0C, p + "error"),
            ]
        }
        fields.append(RegisterField(Self.motorHostWatchdogRegister, "host_watchdog_ms", unit: "ms", writable: true))
        return RegisterMap(type: .motor, pollStart: 0x0000, pollCount: 0x1D, fields: fields)
    }()

    /// The drive channels' base addresses.
    public static let motorChannels: [UInt16] = [0x00, 0x10]
    /// Within a channel: enable and commanded speed (written together), direction.
    public static let motorEnableOffset: UInt16 = 0x01
    public static let motorDirectionOffset: UInt16 = 0x07
    public static let motorErrorOffset: UInt16 = 0x0C
    public static let motorStatusOffset: UInt16 = 0x0B
    /// Within a channel: the drive's actual speed, what standstill is judged by.
    public static let motorActualSpeedOffset: UInt16 = 0x06
    /// Module-wide: the drive's host watchdog in ms (0 = off). Only writes of enable, speed or direction
    /// (either channel) refresh it; on expiry the drive sets enable 0 and speed 0 on both channels and
    /// status bit 15 (`hostWatchdogExpiredBit`), cleared by the next write of this register.
    public static let motorHostWatchdogRegister: UInt16 = 0x0D
    public static let hostWatchdogExpiredBit: UInt16 = 1 << 15
    /// The registers whose writes refresh the host watchdog: enable, speed and direction of both channels.
    public static let hostWatchdogRefreshRegisters: Set<UInt16> = Set(
        motorChannels.flatMap { [$0 + motorEnableOffset, $0 + 0x02, $0 + motorDirectionOffset] })

    /// Decodes the fields inside a read of `registers` starting at `start` (default: a poll read, from
    /// `pollStart`); fields outside the window are left out.
    public func decode(_ registers: [UInt16], from start: UInt16? = nil) -> [DecodedValue] {
        let start = start ?? pollStart
        return fields.compactMap { field in
            let index = Int(field.address) - Int(start)
            guard index >= 0, index < registers.count else { return nil }
            return field.decode(registers[index])
        }
    }

    /// Whether a poll read shows a condition that trips (`module_alarm`): the bus thread's test, which
    /// allocates nothing (`alarm(in:)` names the condition, for reports).
    public func hasAlarm(in registers: UnsafeBufferPointer<UInt16>) -> Bool {
        func reg(_ a: UInt16) -> UInt16? {
            let i = Int(a) - Int(pollStart)
            return i >= 0 && i < registers.count ? registers[i] : nil
        }
        switch type {
        case .power:
            return (reg(0x0008) ?? 0) & Self.powerTripMask != 0
        case .motor:
            for base in Self.motorChannels where (reg(base + Self.motorErrorOffset) ?? 0) != 0 { return true }
            return false
        case .io, .dock, .dido, .analog:
            return false
        }
    }

    /// Whether a poll read shows a condition that trips (`module_alarm`), and which.
    public func alarm(in registers: [UInt16]) -> String? {
        func reg(_ a: UInt16) -> UInt16? {
            let i = Int(a) - Int(pollStart)
            return i >= 0 && i < registers.count ? registers[i] : nil
        }
        switch type {
        case .power:
            guard let bits = reg(0x0008), bits & Self.powerTripMask != 0 else { return nil }
            let names = (0..<4).filter { bits & (1 << $0) != 0 }.map { Self.powerAlarmNames[$0] }
            return "power alarm: " + names.joined(separator: ", ")
        case .motor:
            let errors = Self.motorChannels.enumerated().compactMap { (index, base) -> String? in
                guard let e = reg(base + Self.motorErrorOffset), e != 0 else { return nil }
                return "motor \(index + 1) error \(e)"
            }
            return errors.isEmpty ? nil : errors.joined(separator: ", ")
        case .io, .dock, .dido, .analog:
            return nil
        }
    }
}
