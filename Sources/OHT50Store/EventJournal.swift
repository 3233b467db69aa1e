import OHT50Core
import Synchronization

/// The storage writer's side of the event log: the event pump hands it every safety event, the daemon
/// its own (start, stop, config_loaded, config_reloaded, storage_degraded). Storage trouble never reaches the safety
/// loop: a failed write is counted as lost and reported, and the journal keeps trying.
public final class EventJournal: SafetyEventRecorder, @unchecked Sendable {
    private let store: Mutex<EventStore?>
    public let dataDir: String
    /// Events that could not be written.
    public let lost = Atomic<UInt64>(0)
    public let lastError = Mutex<String?>(nil)
    /// Command id → event id, for a caller waiting until its command's event is on disk.
    private let committed = Mutex<[UInt32: Int64]>([:])
    private let failed = Mutex<Set<UInt32>>([])

    public init(dataDir: String) throws(StoreError) {
        self.dataDir = dataDir
        store = Mutex(try EventStore(dataDir: dataDir))
    }

    public var recoveredFrom: String? { store.withLock { $0?.recoveredFrom } }

    public func record(_ event: SafetyEvent, source: String?, wallTime: String) {
        let id = append(
            time: wallTime, monotonicNs: event.at, kind: event.kind.name, from: event.from.name, to: event.to.name,
            causes: event.causes.names, reasons: RefusalText.codes(event.refusal, causes: []), source: source,
            detail: event.estopEdgeDetail)
        guard event.commandID != 0 else { return }
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
                guard let store else { throw StoreError(code: 0, message: "no database", statement: "append trip") }
                try store.append(recording)
            } catch {
                lost.wrappingAdd(1, ordering: .relaxed)
                lastError.withLock { $0 = "\(error)" }
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
        time: String, monotonicNs: UInt64, kind: String, from: String? = nil, to: String? = nil, causes: [String] = [],
        reasons: [String] = [], source: String? = nil, detail: String? = nil
    ) -> Int64? {
        store.withLock { store in
            do {
                guard let store else { throw StoreError(code: 0, message: "no database", statement: "append") }
                let id = try store.append(
                    time: time, monotonicNs: monotonicNs, kind: kind, from: from, to: to, causes: causes, reasons: reasons,
                    source: source, detail: detail)
                lastError.withLock { $0 = nil }
                return id
            } catch {
                lost.wrappingAdd(1, ordering: .relaxed)
                lastError.withLock { $0 = "\(error)" }
                return nil
            }
        }
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
        while ContinuousClock.now < deadline {
            if let id = committed.withLock({ $0[commandID] }) { return .committed(id) }
            if failed.withLock({ $0.remove(commandID) != nil }) { return .lost }
            try? await Task.sleep(for: .microseconds(500))
        }
        return .timedOut
    }

    public func events(after: Int64, limit: Int) throws(StoreError) -> [StoredEvent] {
        try EventStore.read(dataDir: dataDir, after: after, limit: limit)
    }
}
