import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// oht50d as a Prometheus target, with Debian's own prometheus and promtool: the scrape is clean,
    /// the fleet's alert rules check and pass their unit tests, and a real Prometheus server sees a press
    /// and fires the E-stop alert.
    @Suite("Prometheus")
    struct PrometheusTests {
        typealias Vehicle = SimulatedVehicleTests.Vehicle
        static let rules = ChildProcess.repository + "/config/prometheus"

        @Test("promtool check metrics finds nothing in a live scrape; every alert counter exists at 0 from the start")
        func scrapeIsClean() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            _ = try v.http.get("/health")
            let scrape = try v.http.get("/metrics").body
            let file = v.dir.write("scrape.txt", scrape)
            let check = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "promtool check metrics < \(file)"])
            #expect(check.waitForExit() == 0)
            #expect(check.log.isEmpty, "promtool check metrics:\n\(check.log)")
            for series in [
                "oht50_trips_total{cause=\"estop\"} 0", "oht50_trips_total{cause=\"comm_loss\"} 0",
                "oht50_resets_total{outcome=\"refused\"} 0",
                "oht50_reset_refusals_total{reason=\"estop_pressed\"} 0", "oht50_build_info{version=", "process_resident_memory_bytes ",
                "process_cpu_seconds_total ", "process_start_time_seconds ", "process_open_fds ",
                "oht50_http_request_duration_seconds_bucket{route=\"/health\"",
                "oht50_bus_drive_watchdog_expiries_total{module=\"3\",type=\"motor\"} 0",
            ] {
                #expect(scrape.contains(series), "missing \(series)")
            }
            #expect(!scrape.contains("request_id"))
            #expect(!scrape.contains("oht50_tls_certificate_expiry"), "no certificate without http.tls")
        }

        @Test("the fleet's alert rules pass promtool check rules and their own promtool unit tests")
        func alertRules() throws {
            let check = try ChildProcess(executable: "/usr/bin/promtool", arguments: ["check", "rules", Self.rules + "/oht50-alerts.yml"])
            #expect(check.waitForExit() == 0, "\(check.log)")
            let test = try ChildProcess(
                executable: "/bin/sh", arguments: ["-c", "cd \(Self.rules) && promtool test rules oht50-alerts.test.yml"])
            #expect(test.waitForExit() == 0, "\(test.log)")
            #expect(test.log.contains("SUCCESS"))
        }

        @Test("a real Prometheus scraping --simulate sees a press as the estop state and a trip, and fires OHT50EStopHeld")
        func realPrometheus() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let dir = TemporaryDirectory("oht50-prometheus")
            let rules = try String(contentsOfFile: Self.rules + "/oht50-alerts.yml", encoding: .utf8)
            let estopRule = try #require(rules.range(of: "alert: OHT50EStopHeld"))
            let forLine = try #require(rules.range(of: "for: 10m", range: estopRule.upperBound..<rules.endIndex))
            _ = dir.write("alerts.yml", rules.replacingCharacters(in: forLine, with: "for: 2s"))
            let port = FreePort.find()
            let config = dir.write(
                "prometheus.yml",
                """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [alerts.yml]
                scrape_configs:
                  - job_name: oht50
                    static_configs: [{targets: ["127.0.0.1:\(v.http.port)"], labels: {vehicle: test-1}}]
                """)
            let prometheus = try ChildProcess(
                executable: "/usr/bin/prometheus",
                arguments: [
                    "--config.file=\(config)", "--storage.tsdb.path=\(dir.file("tsdb"))", "--web.listen-address=127.0.0.1:\(port)",
                ])
            defer { _ = prometheus.terminate() }
            let api = DaemonClient(port: port)
            func value(_ query: String) -> Double? {
                let escaped = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let answer = try? api.get("/api/v1/query?query=\(escaped)").json
                let result = ((answer?["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
                return ((result?["value"] as? [Any])?.last as? String).flatMap(Double.init)
            }
            #expect(
                eventually(timeout: .seconds(60)) { value("up{job=\"oht50\",vehicle=\"test-1\"}") == 1 }, "\(prometheus.log.suffix(2_000))")
            #expect(eventually(timeout: .seconds(30)) { value("oht50_trips_total{cause=\"estop\"}") == 0 })

            v.setEStop("0")
            #expect(eventually(timeout: .seconds(30)) { value("oht50_safety_state{state=\"estop\"}") == 1 })
            #expect(eventually(timeout: .seconds(30)) { value("oht50_trips_total{cause=\"estop\"}") == 1 })
            #expect(eventually(timeout: .seconds(30)) { (value("increase(oht50_trips_total{cause=\"estop\"}[1m])") ?? 0) > 0 })
            #expect(
                eventually(timeout: .seconds(60)) {
                    let alerts = ((try? api.get("/api/v1/alerts").json["data"]) as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
                    return alerts.contains {
                        ($0["labels"] as? [String: String])?["alertname"] == "OHT50EStopHeld" && $0["state"] as? String == "firing"
                            && ($0["labels"] as? [String: String])?["vehicle"] == "test-1"
                    }
                })
        }
    }
}
