import OHT50Core
import Synchronization

/// The storage writer's side of the event log: the event pump hands it every safety event, the daemon
/// its own (start, stop, config_loaded, config_reloaded, storage_degraded). Storage trouble never reaches the safety
/// loop: a failed write is counted as lost and reported, and the journal keeps trying. A database that
/// cannot be opened (and is not corrupt) is left in place and opened again at most every `reopenInterval`
/// when there is something to write; once it opens, a `storage_degraded` event says what was lost.
public final class EventJournal: SafetyEventRecorder, @unchecked Sendable {
    private let store: Mutex<EventStore?>
    public let dataDir: String
    /// Why the database could not be opened at start; nil when it was.
    public let openError: String?
    private let reopenInterval: Duration
    private let nextOpenAttempt: Mutex<ContinuousClock.Instant>
    /// Events lost while the database could not be opened, for the event that follows reopening.
    private let lostWhileClosed = Atomic<UInt64>(0)
    private let newestWritten = Atomic<Int64>(0)

    /// The id of the last event this journal wrote (0 before the first): followers compare it to know
    /// when to read, instead of reading the file every time.
    public var newestCommitted: Int64 { newestWritten.load(ordering: .acquiring) }
    /// Events that could not be written.
    public let lost = Atomic<UInt64>(0)
    public let lastError: Mutex<String?>
    /// Command id → event id, for a caller waiting until its command's event is on disk.
    private let committed = Mutex<[UInt32: Int64]>([:])
    private let failed = Mutex<Set<UInt32>>([])
    /// Notified when a command's event was committed or lost: `waitUntilCommitted` waits on it.
    private let outcomes = ChangeSignal()

    public init(dataDir: String, reopenInterval: Duration = .seconds(5)) {
        self.dataDir = dataDir
        self.reopenInterval = reopenInterval
        var opened: EventStore?
        var failure: String?
        do {
            opened = try EventStore(dataDir: dataDir)
        } catch {
            failure = Self.openFailure(dataDir, error)
        }
        store = Mutex(opened)
        openError = failure
        lastError = Mutex(failure)
        nextOpenAttempt = Mutex(ContinuousClock.now.advanced(by: reopenInterval))
    }

    /// The store, opened again if it could not be before and the last attempt is `reopenInterval` ago.
    /// Called with the store's lock held; `time` and `monotonicNs` stamp the event that says what was lost.
    private func openedStore(_ store: inout EventStore?, time: String, monotonicNs: UInt64) throws(StoreError) -> EventStore {
        if let store { return store }
        let now = ContinuousClock.now
        guard nextOpenAttempt.withLock({ $0 }) <= now else {
            throw StoreError(code: 0, message: lastError.withLock { $0 } ?? "no database", statement: "open")
        }
        nextOpenAttempt.withLock { $0 = now.advanced(by: reopenInterval) }
        let opened = try EventStore(dataDir: dataDir)
        store = opened
        let lost = lostWhileClosed.exchange(0, ordering: .relaxed)
        _ = try? opened.append(
            time: time, monotonicNs: monotonicNs, kind: .storageDegraded,
            detail: "the event store could not be opened until now; \(lost) event(s) lost meanwhile")
        return opened
    }

    public var recoveredFrom: String? { store.withLock { $0?.recoveredFrom } }

    public func record(_ event: SafetyEvent, source: String?, wallTime: String) {
        let id = append(
            time: wallTime, monotonicNs: event.at, kind: event.kind, from: event.from.name, to: event.to.name,
            causes: event.causes.names, reasons: RefusalText.codes(event.refusal, causes: []), source: source,
            detail: event.tripDetail)
        guard event.commandID != 0 else { return }
        defer { outcomes.notifyAll() }
        if let id {
            committed.withLock { map in
                map[event.commandID] = id
                if map.count > 4_096, let oldest = map.keys.min() { map.removeValue(forKey: oldest) }
            }
        } else {
            failed.withLock { _ = $0.insert(event.commandID) }
        }
    }

    public func record(_ recording: TripRecording) {
        store.withLock { store in
            do {
                try openedStore(&store, time: recording.wallTime, monotonicNs: recording.trip.at).append(recording)
            } catch {
                countLost(error, storeOpen: store != nil)
            }
        }
    }

    public func trips(after: Int64, limit: Int) throws(StoreError) -> [StoredTrip] {
        try EventStore.trips(dataDir: dataDir, after: after, limit: limit)
    }

    public func trip(id: Int64) throws(StoreError) -> StoredTrip? {
        try EventStore.trips(dataDir: dataDir, id: id).first
    }

    /// Appends an event of the daemon's own; nil (and counted as lost) when it could not be written.
    @discardableResult
    public func append(
        time: String, monotonicNs: UInt64, kind: EventKind, from: String? = nil, to: String? = nil, causes: [String] = [],
        reasons: [String] = [], source: String? = nil, detail: String? = nil
    ) -> Int64? {
        store.withLock { store in
            do {
                let id = try openedStore(&store, time: time, monotonicNs: monotonicNs).append(
                    time: time, monotonicNs: monotonicNs, kind: kind, from: from, to: to, causes: causes, reasons: reasons,
                    source: source, detail: detail)
                lastError.withLock { $0 = nil }
                newestWritten.store(id, ordering: .releasing)
                return id
            } catch {
                countLost(error, storeOpen: store != nil)
                return nil
            }
        }
    }

    private func countLost(_ error: any Error, storeOpen: Bool) {
        lost.wrappingAdd(1, ordering: .relaxed)
        if storeOpen {
            lastError.withLock { $0 = "\(error)" }
        } else {
            lostWhileClosed.wrappingAdd(1, ordering: .relaxed)
            // Keep saying which file could not be opened, not just the last retry's words.
            if let error = error as? StoreError, error.code != 0 { lastError.withLock { $0 = Self.openFailure(dataDir, error) } }
        }
    }

    private static func openFailure(_ dataDir: String, _ error: any Error) -> String {
        "cannot open \(dataDir)/\(EventStore.fileName) (left in place): \(error)"
    }

    public enum Commit: Sendable, Equatable {
        case committed(Int64)
        /// The write failed: the command took effect, its event is lost (and counted).
        case lost
        case timedOut
    }

    /// Waits (bounded) until the event of command `id` is on disk.
    public func waitUntilCommitted(commandID: UInt32, timeout: Duration = .seconds(2)) async -> Commit {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let seen = outcomes.generation
            if let id = committed.withLock({ $0[commandID] }) { return .committed(id) }
            if failed.withLock({ $0.remove(commandID) != nil }) { return .lost }
            if ContinuousClock.now >= deadline { return .timedOut }
            await outcomes.wait(since: seen, until: deadline)
        }
    }

    /// The id of the newest event in the file (0 when empty).
    public func newestID() throws(StoreError) -> Int64 { try EventStore.newestID(dataDir: dataDir) }

    public func events(after: Int64, limit: Int) throws(StoreError) -> [StoredEvent] {
        try EventStore.read(dataDir: dataDir, after: after, limit: limit)
    }
}
