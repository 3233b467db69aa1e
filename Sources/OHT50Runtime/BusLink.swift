import OHT50Core
import Synchronization

/// What the bus thread and the safety thread tell each other, as single atomic words: the safety thread
/// reads the newest bus health and writes the newest drive setpoint every cycle. A mailbox, not a queue,
/// on purpose: a queue would make the bus thread replay stale setpoints; only the latest one and the
/// count of trips matter.
public final class BusLink: Sendable {
    // bus thread → safety thread
    let causes = Atomic<UInt16>(0)
    let modulesHealthy = Atomic<Bool>(false)
    let ready = Atomic<Bool>(false)
    /// Every drive stop the bus thread was asked for has been read back as stopped (enable 0, speed 0).
    /// False from start until the boot stop is confirmed.
    let drivesStopped = Atomic<Bool>(false)
    /// Bumped every bus-loop iteration; a bus thread that stops bumping it is `bus_thread_dead`.
    let heartbeat = Atomic<UInt64>(0)

    // safety thread → bus thread
    /// `DriveSetpoint` packed into one word.
    let setpoint = Atomic<UInt32>(0)
    /// Bumped by the safety thread on every trip: the bus thread stops every drive before it polls again.
    let tripGeneration = Atomic<UInt32>(0)

    public init() {}

    public var busCauses: TripCauses { TripCauses(rawValue: causes.load(ordering: .acquiring)) }
    public var isReady: Bool { ready.load(ordering: .acquiring) }
    public var areDrivesStopped: Bool { drivesStopped.load(ordering: .acquiring) }
}

/// The drive command as one word: bit 16 run, bits 8–15 speed 0–255, bits 0–1 direction (1 forward,
/// 2 reverse). Zero is stop.
public struct DriveSetpoint: Sendable, Equatable, BitwiseCopyable {
    public var raw: UInt32

    public init(raw: UInt32) { self.raw = raw }

    /// 0–100 % becomes 0–255, the drive's commanded-speed range.
    public init(_ request: MotionRequest?) {
        guard let request else {
            raw = 0
            return
        }
        let speed = (UInt32(request.speedPercent) * 255 + 50) / 100
        raw = 1 << 16 | speed << 8 | UInt32(request.direction.rawValue)
    }

    public var running: Bool { raw & (1 << 16) != 0 }
    public var speed: UInt16 { UInt16((raw >> 8) & 0xFF) }
    public var direction: UInt16 { UInt16(raw & 0x3) }
}
