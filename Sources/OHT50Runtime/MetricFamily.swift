import Metrics

/// Every metric family `/metrics` exposes, named once, with its HELP text. swift-metrics has no place for
/// help text (its Prometheus factory registers every family with none), so the scrape adds it from
/// here; whoever counts or records uses the family, never its name as a string.
public enum MetricFamily: String, CaseIterable, Sendable {
    case buildInfo = "oht50_build_info"
    case safetyState = "oht50_safety_state"
    case estopPressed = "oht50_estop_pressed"
    case estopChannelPressed = "oht50_estop_channel_pressed"
    case contactorPulledIn = "oht50_contactor_pulled_in"
    case safetyCauseActive = "oht50_safety_cause_active"
    case storageDegraded = "oht50_storage_degraded"
    case motionEnable = "oht50_motion_enable"
    case rtThreadAlive = "oht50_rt_thread_alive"
    case safetyLoopLastCycleAgeSeconds = "oht50_safety_loop_last_cycle_age_seconds"
    case safetyLoopCyclesTotal = "oht50_safety_loop_cycles_total"
    case safetyLoopOverrunsTotal = "oht50_safety_loop_overruns_total"
    case safetyLoopStallsTotal = "oht50_safety_loop_stalls_total"
    case safetyEventsDroppedTotal = "oht50_safety_events_dropped_total"
    case storageLostEventsTotal = "oht50_storage_lost_events_total"
    case tripsTotal = "oht50_trips_total"
    case resetsTotal = "oht50_resets_total"
    case resetRefusalsTotal = "oht50_reset_refusals_total"
    case motionLeaseExpiredTotal = "oht50_motion_lease_expired_total"
    case commandsDiscardedTotal = "oht50_commands_discarded_total"
    case busTransactionsTotal = "oht50_bus_transactions_total"
    case busErrorsTotal = "oht50_bus_errors_total"
    case busModuleOnline = "oht50_bus_module_online"
    case busLateBytesTotal = "oht50_bus_late_bytes_total"
    case busReconnectsTotal = "oht50_bus_reconnects_total"
    case busDriveWatchdogExpiriesTotal = "oht50_bus_drive_watchdog_expiries_total"
    case tlsCertificateExpiryTimestampSeconds = "oht50_tls_certificate_expiry_timestamp_seconds"
    case httpRequestsTotal = "oht50_http_requests_total"
    case httpRequestDurationSeconds = "oht50_http_request_duration_seconds"
    case safetyWakeupLatencySeconds = "oht50_safety_wakeup_latency_seconds"
    case processCpuSecondsTotal = "process_cpu_seconds_total"
    case processResidentMemoryBytes = "process_resident_memory_bytes"
    case processVirtualMemoryBytes = "process_virtual_memory_bytes"
    case processOpenFds = "process_open_fds"
    case processMaxFds = "process_max_fds"
    case processStartTimeSeconds = "process_start_time_seconds"

    public var help: String {
        switch self {
        case .buildInfo: "Always 1; the version label is the daemon's (oht50d --version)."
        case .safetyState: "1 for the safety state the vehicle is in, 0 for the others."
        case .estopPressed: "1 while the E-stop line reads pressed (with two channels: either)."
        case .estopChannelPressed: "1 while this channel of a two-channel E-stop reads open (pressed)."
        case .contactorPulledIn: "1 while the motion-enable relay's feedback shows it pulled in, 0 dropped out, -1 unreadable."
        case .safetyCauseActive: "1 while the trip cause is active now (it holds the vehicle in estop or fault)."
        case .storageDegraded: "1 while the event store cannot be written (see /health/detailed storage.last_error)."
        case .motionEnable: "1 while the motion-enable output is on (state ready or moving)."
        case .rtThreadAlive: "1 while the RT thread is alive (the judgement /health and the systemd watchdog use)."
        case .safetyLoopLastCycleAgeSeconds: "Time since the safety loop's last cycle; over safety.max_stall_ms it is stalled."
        case .safetyLoopCyclesTotal: "Safety loop cycles run."
        case .safetyLoopOverrunsTotal: "Safety loop cycles that started a whole period late."
        case .safetyLoopStallsTotal: "Gaps between safety cycles longer than safety.max_stall_ms (each trips stall)."
        case .safetyEventsDroppedTotal: "Safety events dropped because the events ring was full."
        case .storageLostEventsTotal: "Events that could not be written to the event store."
        case .tripsTotal: "Trips by cause."
        case .resetsTotal: "Reset requests by outcome (accepted, refused)."
        case .resetRefusalsTotal: "Refused resets by reason (a refusal counts once per reason)."
        case .motionLeaseExpiredTotal: "Moves that ended because the motion lease was not refreshed."
        case .commandsDiscardedTotal: "Moves discarded unjudged: sent before a trip or a stop, or after their sender gave up."
        case .busTransactionsTotal: "Modbus transactions by module."
        case .busErrorsTotal: "Failed Modbus transactions by module and class (timeout, crc, exception, other)."
        case .busModuleOnline: "1 while the module answers (fewer than bus.comm_loss_after failures in a row)."
        case .busLateBytesTotal: "Bytes that arrived when no transaction waited for them (late replies, noise), discarded."
        case .busReconnectsTotal: "Times the bus port was lost and opened again."
        case .busDriveWatchdogExpiriesTotal:
            "Times a drive reported that its own host watchdog stopped it (status bit 15; each trips drive_watchdog)."
        case .tlsCertificateExpiryTimestampSeconds:
            "When http.tls.cert stops being valid (its notAfter), in seconds since the epoch; only with http.tls."
        case .httpRequestsTotal: "HTTP requests by route pattern, method and status."
        case .httpRequestDurationSeconds: "HTTP request duration by route pattern and status."
        case .safetyWakeupLatencySeconds: "Safety loop wake-up latency (time past the absolute deadline)."
        case .processCpuSecondsTotal: "Total user and system CPU time spent in seconds."
        case .processResidentMemoryBytes: "Resident memory size in bytes."
        case .processVirtualMemoryBytes: "Virtual memory size in bytes."
        case .processOpenFds: "Number of open file descriptors."
        case .processMaxFds: "Maximum number of open file descriptors."
        case .processStartTimeSeconds: "Start time of the process since unix epoch in seconds."
        }
    }

    public func counter(_ dimensions: [(String, String)] = []) -> Counter { Counter(label: rawValue, dimensions: dimensions) }
    public func floatingPointCounter(_ dimensions: [(String, String)] = []) -> FloatingPointCounter {
        FloatingPointCounter(label: rawValue, dimensions: dimensions)
    }
    public func gauge(_ dimensions: [(String, String)] = []) -> Gauge { Gauge(label: rawValue, dimensions: dimensions) }
    public func timer(_ dimensions: [(String, String)] = []) -> Timer { Timer(label: rawValue, dimensions: dimensions) }
}
