extension FirmwareConfig {
    /// The effective configuration as YAML that `FirmwareConfig.decode` reads back to the same value.
    public var yaml: String {
        var lines: [String] = []
        func line(_ indent: Int, _ text: String) { lines.append(String(repeating: "  ", count: indent) + text) }
        func quoted(_ s: String) -> String {
            "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        func output(_ indent: Int, _ name: String, _ o: OutputLineSettings?) {
            guard let o else { return line(indent, "\(name): null") }
            line(indent, "\(name):")
            line(indent + 1, "backend: \(o.backend.rawValue)")
            if let chip = o.chip { line(indent + 1, "chip: \(quoted(chip))") }
            if let l = o.line { line(indent + 1, "line: \(l)") }
            if let p = o.sysfsPath { line(indent + 1, "sysfs_path: \(quoted(p))") }
        }
        line(0, "safety:")
        line(1, "cycle_ms: \(safety.cycleMs)")
        line(1, "reset_release_ms: \(safety.resetReleaseMs)")
        line(1, "max_stall_ms: \(safety.maxStallMs)")
        line(1, "motion_lease_ms: \(safety.motionLeaseMs)")
        func input(_ indent: Int, _ first: String, _ i: InputLineSettings) {
            line(indent, first + "backend: \(i.backend.rawValue)")
            let rest = String(repeating: " ", count: first.count)
            if let chip = i.chip { line(indent, rest + "chip: \(quoted(chip))") }
            if let l = i.line { line(indent, rest + "line: \(l)") }
            if let p = i.sysfsPath { line(indent, rest + "sysfs_path: \(quoted(p))") }
            line(indent, rest + "active_low: \(i.activeLow)")
        }
        line(0, "estop:")
        if estop.second == nil {
            line(1, "backend: \(estop.backend.rawValue)")
            line(1, "chip: \(quoted(estop.chip))")
            line(1, "line: \(estop.line)")
            line(1, "sysfs_path: \(quoted(estop.sysfsPath))")
            line(1, "active_low: \(estop.activeLow)")
        } else {
            line(1, "channels:")
            for channel in estop.channels { input(2, "- ", channel) }
            line(1, "discrepancy_ms: \(estop.discrepancyMs)")
        }
        line(0, "outputs:")
        output(1, "motion_enable", outputs.motionEnable)
        if let feedback = outputs.motionEnableFeedback {
            line(2, "feedback:")
            input(3, "", feedback.line)
            line(3, "pull_in_ms: \(feedback.pullInMs)")
            line(3, "drop_out_ms: \(feedback.dropOutMs)")
        }
        output(1, "heartbeat", outputs.heartbeat)
        line(1, "leds:")
        for (name, led) in outputs.leds.all { output(2, name, led) }
        do {
            line(0, "bus:")
            line(1, "port: \(quoted(bus.port))")
            line(1, "baud: \(bus.baud)")
            line(1, "parity: \(bus.parity.rawValue)")
            line(1, "data_bits: \(bus.dataBits)")
            line(1, "stop_bits: \(bus.stopBits)")
            line(1, "response_timeout_ms: \(bus.responseTimeoutMs)")
            line(1, "comm_loss_after: \(bus.commLossAfter)")
        }
        if modules.isEmpty {
            line(0, "modules: []")
        } else {
            line(0, "modules:")
            for m in modules {
                line(1, "- address: \(m.address)")
                line(1, "  type: \(m.type.rawValue)")
                line(1, "  poll_ms: \(m.pollMs)")
                line(1, "  required: \(m.required)")
                if m.type == .motor {
                    line(1, "  host_watchdog_ms: \(m.hostWatchdogMs)")
                    line(1, "  stop_within_ms: \(m.stopWithinMs)")
                }
            }
        }
        line(0, "http:")
        line(1, "bind: \(quoted(http.bind))")
        line(1, "port: \(http.port)")
        line(1, "reset_min_interval_ms: \(http.resetMinIntervalMs)")
        line(1, "allowed_hosts: " + (http.allowedHosts.map { "[" + $0.map(quoted).joined(separator: ", ") + "]" } ?? "null"))
        line(1, "control_socket: \(quoted(http.controlSocket))")
        if let tls = http.tls {
            line(1, "tls:")
            line(2, "cert: \(quoted(tls.cert))")
            line(2, "key: \(quoted(tls.key))")
            line(2, "client_ca: " + (tls.clientCA.map(quoted) ?? "null"))
        } else {
            line(1, "tls: null")
        }
        line(1, "allow_plain_token: \(http.allowPlainToken)")
        line(0, "storage:")
        line(1, "data_dir: \(quoted(storage.dataDir))")
        line(1, "telemetry_retention_days: \(storage.telemetryRetentionDays)")
        line(0, "cpu:")
        line(1, "safety: \(quoted(cpu.safety.description))")
        line(1, "bus: \(quoted(cpu.bus.description))")
        line(1, "async: \(quoted(cpu.async.description))")
        line(0, "startup:")
        line(1, "device_wait_ms: \(deviceWaitMs)")
        line(0, "log:")
        line(1, "level: \(logLevel.rawValue)")
        return lines.joined(separator: "\n") + "\n"
    }
}
