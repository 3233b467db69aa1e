/// Every kind of entry in the event log (`GET /api/v1/events`, the journal's `event=`), named once: the
/// raw value is the name everywhere it is written.
public enum EventKind: String, Sendable, BitwiseCopyable, CaseIterable {
    // What the safety thread does (`SafetyEvent`).
    case trip
    case stateChange = "state_change"
    case resetAccepted = "reset_accepted"
    case resetRefused = "reset_refused"
    case leaseExpired = "lease_expired"
    /// A move discarded unjudged: sent before a trip or a stop, or after its sender gave up.
    case commandDiscarded = "command_discarded"

    // What the daemon around it does.
    case start
    case stop
    case configLoaded = "config_loaded"
    case configReloaded = "config_reloaded"
    /// The event store was corrupt and moved aside, or could not be written for a while.
    case storageDegraded = "storage_degraded"
}
