import OHT50Core
import OHT50IO
import Synchronization

/// One configured module as the bus thread tracks it, and what non-RT readers may see of it.
public final class BusModule: @unchecked Sendable {
    public let settings: ModuleSettings
    public let map: RegisterMap
    public let counters = ModuleCounters()
    public let reading = SnapshotCell(ModuleReading())
    /// Set at discovery (start and every reconnect).
    public let identity = Mutex<IdentityBlock?>(nil)
    /// "configured motor, but the module reports power"; nil when the type matches.
    public let typeProblem = Mutex<String?>(nil)
    /// A drive whose last stop has not been read back as stopped yet, for reports.
    public let stopUnconfirmed = Atomic<Bool>(false)

    // Bus thread only.
    var nextDue: UInt64 = 0
    var discovered = false
    var attempted = false
    var alarm = false
    /// `typeProblem != nil`, kept here so the loop need not lock to read it.
    var typeMismatch = false
    /// A drive that must be stopped and has not read back stopped yet: it gets a stop instead of a
    /// poll until it does. Every drive starts so: a restarted daemon must not trust a drive's state.
    var stopPending: Bool
    /// Stop attempts since the stop was asked for that did not read back stopped.
    var failedStopAttempts = 0
    /// A drive whose last setpoint write failed: written again at each of its poll slots, beside the poll.
    var writePending = false
    /// A drive whose host watchdog (0x0D) must be written: after discovery, or when it reads back other
    /// than `host_watchdog_ms` (the drive was power-cycled).
    var watchdogPending = false
    /// When enable, speed or direction was last written to this drive: what refreshes its host watchdog.
    var lastControlWriteAt: UInt64 = 0
    /// The drive's last poll showed status bit 15: its host watchdog stopped it (`drive_watchdog`).
    var watchdogExpired = false
    /// After a stop read back: the drive's actual speed must read 0 by then (0 while not waiting for it).
    var standstillDueAt: UInt64 = 0
    /// The actual speed had not reached 0 by `standstillDueAt` (`drive_not_stopped`), for reports too.
    public let standstillOverdue = Atomic<Bool>(false)
    /// While a move with a speed runs on this drive (from its first enable write): when each channel last
    /// showed that it follows (its actual speed, 0x06 or 0x16, read other than 0) or the move began. 0 while
    /// not moving. Kept across a change of speed or direction: a new setpoint does not restart the clock.
    var followedAt: (UInt64, UInt64) = (0, 0)
    /// Which channels read other than 0 since the move began.
    var shownSpeed: (Bool, Bool) = (false, false)
    /// This move: a channel read 0 for longer than `stop_within_ms` (`drive_not_following`, until the stop).
    var followFailed = false
    /// The drive's own 0 is no evidence of standstill: it did not follow (`notFollowing`), or a move ended
    /// before both channels showed a speed (a dead sensor hides on moves shorter than `stop_within_ms`).
    /// Its stops count only once `stop_within_ms` has passed, until a move shows both speeds.
    var speedUnproven = false
    /// A channel commanded to move read 0 for longer than `stop_within_ms`: a dead speed sensor, a stalled
    /// motor, a channel whose writes are refused. Kept after the stop, for reports, until a move shows both
    /// speeds again.
    public let notFollowing = Atomic<Bool>(false)
    /// Times a poll found the drive newly stopped by its host watchdog, for reports.
    public let watchdogExpiries = Atomic<UInt64>(0)
    let registers = UnsafeMutablePointer<UInt16>.allocate(capacity: 125)

    init(_ settings: ModuleSettings) {
        self.settings = settings
        self.map = RegisterMap.of(settings.type)
        self.stopPending = settings.type == .motor
        stopUnconfirmed.store(stopPending, ordering: .relaxed)
        registers.initialize(repeating: 0, count: 125)
    }

    deinit { registers.deallocate() }

    /// A drive must stop. One already waiting keeps its count of failed attempts: the trip its own
    /// `comm_loss` causes must not clear that `comm_loss`.
    func requireStop() {
        guard settings.type == .motor else { return }
        writePending = false
        disarmFollowing()
        guard !stopPending else { return }
        stopPending = true
        failedStopAttempts = 0
        stopUnconfirmed.store(true, ordering: .relaxed)
    }

    /// The stop was read back, or a move that went through replaced it.
    func clearStop() {
        stopPending = false
        writePending = false
        failedStopAttempts = 0
        standstillDueAt = 0
        standstillOverdue.store(false, ordering: .relaxed)
        stopUnconfirmed.store(false, ordering: .relaxed)
    }

    /// The stop read back (enable 0, speed 0): from now the actual speed must reach 0 within
    /// `stop_within_ms`; the stop counts as unconfirmed until it does.
    func awaitStandstill(now: UInt64) {
        stopPending = false
        writePending = false
        failedStopAttempts = 0
        // The first stop's time counts: stops repeated meanwhile (lease expiries) do not extend it.
        if standstillDueAt == 0 { standstillDueAt = max(1, now + UInt64(settings.stopWithinMs) * 1_000_000) }
    }

    /// A move with a speed reached the drive (a channel's enable write went through): from now both channels
    /// must show they turn. A move already running keeps its clock.
    func armFollowing(now: UInt64) {
        guard followedAt.0 == 0 else { return }
        followedAt = (now, now)
        shownSpeed = (false, false)
        followFailed = false
    }

    /// The move ended (a stop, or a move at speed 0). One that never showed both speeds leaves the drive's
    /// 0 unproven.
    func disarmFollowing() {
        if followedAt.0 != 0 && !(shownSpeed.0 && shownSpeed.1) { speedUnproven = true }
        followedAt = (0, 0)
        followFailed = false
    }

    /// A poll's actual speeds while a move runs: a channel that reads 0 for longer than `stop_within_ms`
    /// does not follow; both reading other than 0 show the sensor works.
    func judgeFollowing(actualSpeeds: (UInt16, UInt16), now: UInt64) {
        guard followedAt.0 != 0 else { return }
        if actualSpeeds.0 != 0 { (followedAt.0, shownSpeed.0) = (now, true) }
        if actualSpeeds.1 != 0 { (followedAt.1, shownSpeed.1) = (now, true) }
        if actualSpeeds.0 != 0 && actualSpeeds.1 != 0 {
            speedUnproven = false
            notFollowing.store(false, ordering: .relaxed)
        }
        let limit = UInt64(settings.stopWithinMs) * 1_000_000
        if now &- followedAt.0 > limit || now &- followedAt.1 > limit {
            followFailed = true
            speedUnproven = true
            notFollowing.store(true, ordering: .relaxed)
        }
    }

    /// A poll's actual speeds: standstill confirms the stop; past the time it is overdue. A drive whose 0 is
    /// unproven (`speedUnproven`) may read 0 whatever it does: its stop counts only once `stop_within_ms` has passed.
    func judgeStandstill(actualSpeeds: (UInt16, UInt16), now: UInt64) {
        guard standstillDueAt != 0 else { return }
        if actualSpeeds.0 == 0 && actualSpeeds.1 == 0 {
            if speedUnproven && now <= standstillDueAt { return }
            clearStop()
        } else if now > standstillDueAt {
            standstillOverdue.store(true, ordering: .relaxed)
        }
    }

    public var address: UInt8 { UInt8(settings.address) }

    /// Online as the `comm_loss` trip judges it (issue 38, item 12: one verdict in every report): it has
    /// answered since the start, and its leaky failure count is below `bus.comm_loss_after`. A link failing
    /// every other frame is offline here exactly when it trips.
    public func isOnline(commLossAfter: Int) -> Bool {
        reading.read().at != 0 && !counters.isCommLoss(after: commLossAfter)
    }
    var periodNs: UInt64 { UInt64(settings.pollMs) * 1_000_000 }
    /// How often a drive with a host watchdog gets a control write when nothing else wrote: a third of
    /// its watchdog, so two refreshes may fail before it expires.
    var watchdogRefreshNs: UInt64 { UInt64(settings.hostWatchdogMs) * 1_000_000 / 3 }
}
