import OHT50Core
import Synchronization

/// What the bus thread and the safety thread tell each other, as single atomic words: the safety thread
/// reads the newest bus health and writes the newest drive order every cycle. A mailbox, not a queue,
/// on purpose: a queue would make the bus thread replay stale setpoints; only the latest order matters.
public final class BusLink: Sendable {
    // bus thread → safety thread
    /// The causes active at the bus thread's last pass: a level.
    let causes = Atomic<UInt16>(0)
    /// Every cause the bus thread has seen since the safety thread last took them (OR-ed in, taken with
    /// an exchange): a cause active for one pass only is still seen, and trips (DESIGN "Single faults").
    let heldCauses = Atomic<UInt16>(0)
    let modulesHealthy = Atomic<Bool>(false)
    let ready = Atomic<Bool>(false)
    /// `DriveStopConfirmation`: the trip generation the bus thread has handled and whether every drive
    /// has read back the stop it was sent since. Not stopped from start until the boot stop is confirmed.
    let stopConfirmation = Atomic<UInt32>(0)
    /// Bumped every bus-loop pass and after every transaction; a bus thread that stops bumping it is
    /// `bus_thread_dead`.
    let heartbeat = Atomic<UInt64>(0)

    // safety thread → bus thread
    /// `DriveOrder` packed into one word, so setpoint and generations are never read torn.
    let order = Atomic<UInt64>(0)
    /// The monotonic time the safety thread stored its latest cycle's order, stored after it (0 before the
    /// first): older than `safetyStaleNs`, the bus thread stops the drives and stops refreshing their host
    /// watchdogs (DESIGN "Single faults": a frozen safety thread must not leave a drive running).
    let safetyAliveAt = Atomic<UInt64>(0)
    /// `safety.max_stall_ms` or `safety.motion_lease_ms`, the shorter, set by the safety loop that owns this link.
    let safetyStaleNs = Atomic<UInt64>(UInt64.max)

    // anyone → both threads
    package let stopSignal: MotionStopSignal

    public init(stopSignal: MotionStopSignal = MotionStopSignal()) { self.stopSignal = stopSignal }

    public var busCauses: TripCauses { TripCauses(rawValue: causes.load(ordering: .acquiring)) }

    /// The causes active now and every one seen since the last call: the safety thread's, once a cycle.
    func takeCauses() -> TripCauses {
        let level = causes.load(ordering: .acquiring)
        return TripCauses(rawValue: level | heldCauses.exchange(0, ordering: .acquiringAndReleasing))
    }
    public var isReady: Bool { ready.load(ordering: .acquiring) }
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

    public static let stop = DriveSetpoint(raw: 0)

    public var running: Bool { raw & (1 << 16) != 0 }
    public var speed: UInt16 { UInt16((raw >> 8) & 0xFF) }
    public var direction: UInt16 { UInt16(raw & 0x3) }
}

/// What the safety thread orders the bus thread, in one word: the setpoint, the trip generation it was
/// decided under (a new one makes the bus thread stop every drive before it polls again) and the stop
/// requests it had seen (a running setpoint older than the bus thread's latest stop is not applied).
public struct DriveOrder: Sendable, Equatable, BitwiseCopyable {
    public var setpoint: DriveSetpoint
    public var tripGeneration: UInt16
    /// The low 16 bits of `MotionStopSignal.requests`.
    public var stopRequests: UInt16
    /// The low 15 bits of `SafetyMachine.motionEnds`: a change stops every drive (a lease expiry or a stop
    /// is written even when a move with the same setpoint follows within one bus pass).
    public var motionEnds: UInt16

    public init(setpoint: DriveSetpoint, tripGeneration: UInt16, stopRequests: UInt32, motionEnds: UInt16 = 0) {
        self.setpoint = setpoint
        self.tripGeneration = tripGeneration
        self.stopRequests = UInt16(truncatingIfNeeded: stopRequests)
        self.motionEnds = motionEnds & 0x7FFF
    }

    public init(raw: UInt64) {
        setpoint = DriveSetpoint(raw: UInt32(truncatingIfNeeded: raw) & 0x1FFFF)
        motionEnds = UInt16(truncatingIfNeeded: raw >> 17) & 0x7FFF
        tripGeneration = UInt16(truncatingIfNeeded: raw >> 32)
        stopRequests = UInt16(truncatingIfNeeded: raw >> 48)
    }

    public var raw: UInt64 {
        UInt64(setpoint.raw & 0x1FFFF) | UInt64(motionEnds & 0x7FFF) << 17 | UInt64(tripGeneration) << 32 | UInt64(stopRequests) << 48
    }
}

/// The bus thread's answer to the orders, in one word: which trip generation it has handled, and
/// whether every drive has read back its stop since.
struct DriveStopConfirmation: Equatable {
    var tripGeneration: UInt16
    var stopped: Bool

    init(tripGeneration: UInt16, stopped: Bool) {
        self.tripGeneration = tripGeneration
        self.stopped = stopped
    }

    init(raw: UInt32) {
        tripGeneration = UInt16(truncatingIfNeeded: raw >> 1)
        stopped = raw & 1 != 0
    }

    var raw: UInt32 { UInt32(tripGeneration) << 1 | (stopped ? 1 : 0) }
}
