/// The HELP text of every metric family `/metrics` exposes. swift-metrics has no place for help text
/// (its Prometheus factory registers every family with none), so the scrape gets it from here: a family
/// missing from this table is a test failure, not a silent gap.
enum MetricHelp {
    static let text: [String: String] = [
        "oht50_build_info": "Always 1; the version label is the daemon's (oht50d --version).",
        "oht50_safety_state": "1 for the safety state the vehicle is in, 0 for the others.",
        "oht50_estop_pressed": "1 while the E-stop line reads pressed.",
        "oht50_safety_cause_active": "1 while the trip cause is active now (it holds the vehicle in estop or fault).",
        "oht50_storage_degraded": "1 while the event store cannot be written (see /health/detailed storage.last_error).",
        "oht50_motion_enable": "1 while the motion-enable output is on (state ready or moving).",
        "oht50_rt_thread_alive": "1 while the RT thread is alive (the judgement /health and the systemd watchdog use).",
        "oht50_safety_loop_last_cycle_age_seconds": "Time since the safety loop's last cycle; over safety.max_stall_ms it is stalled.",
        "oht50_safety_loop_cycles_total": "Safety loop cycles run.",
        "oht50_safety_loop_overruns_total": "Safety loop cycles that started a whole period late.",
        "oht50_safety_loop_stalls_total": "Gaps between safety cycles longer than safety.max_stall_ms (each trips stall).",
        "oht50_safety_events_dropped_total": "Safety events dropped because the events ring was full.",
        "oht50_storage_lost_events_total": "Events that could not be written to the event store.",
        "oht50_trips_total": "Trips by cause.",
        "oht50_resets_total": "Reset requests by outcome (accepted, refused).",
        "oht50_reset_refusals_total": "Refused resets by reason (a refusal counts once per reason).",
        "oht50_motion_lease_expired_total": "Moves that ended because the motion lease was not refreshed.",
        "oht50_commands_discarded_total": "Moves discarded unjudged: sent before a trip or a stop, or after their sender gave up.",
        "oht50_bus_transactions_total": "Modbus transactions by module.",
        "oht50_bus_errors_total": "Failed Modbus transactions by module and class (timeout, crc, exception, other).",
        "oht50_bus_module_online": "1 while the module answers (fewer than bus.comm_loss_after failures in a row).",
        "oht50_bus_late_bytes_total": "Bytes that arrived when no transaction waited for them (late replies, noise), discarded.",
        "oht50_bus_reconnects_total": "Times the bus port was lost and opened again.",
        "oht50_http_requests_total": "HTTP requests by route pattern, method and status.",
        "oht50_http_request_duration_seconds": "HTTP request duration by route pattern and status.",
        "oht50_safety_wakeup_latency_seconds": "Safety loop wake-up latency (time past the absolute deadline).",
        "process_cpu_seconds_total": "Total user and system CPU time spent in seconds.",
        "process_resident_memory_bytes": "Resident memory size in bytes.",
        "process_virtual_memory_bytes": "Virtual memory size in bytes.",
        "process_open_fds": "Number of open file descriptors.",
        "process_max_fds": "Maximum number of open file descriptors.",
        "process_start_time_seconds": "Start time of the process since unix epoch in seconds.",
    ]

    /// Puts `# HELP` before every `# TYPE` line that has none.
    static func annotate(_ exposition: String) -> String {
        var out: [Substring] = []
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init) ?? ""
                if !previous.hasPrefix("# HELP \(name) "), let help = text[name] {
                    out.append(Substring("# HELP \(name) \(help)"))
                }
            }
            out.append(line)
            previous = line
        }
        return out.joined(separator: "\n")
    }
}
