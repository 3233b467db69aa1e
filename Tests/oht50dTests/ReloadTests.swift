import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("SIGHUP reload")
    struct ReloadTests {
        /// The details of the `config_reloaded` events so far, oldest first.
        private func reloads(_ http: DaemonClient) -> [String] {
            let events = (try? http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]]) ?? []
            return events.filter { $0["kind"] as? String == "config_reloaded" }.compactMap { $0["detail"] as? String }
        }

        @Test("SIGHUP applies log.level, names what needs a restart, and keeps running on a bad file")
        func reload() throws {
            let dir = TemporaryDirectory()
            let config = dir.write("firmware.yaml", "log:\n  level: notice\n")
            let daemon = try ChildProcess.oht50d(
                arguments: ["--simulate", "--config", config, "--data-dir", dir.file("data"), "--http-port", "0"])
            let http = DaemonClient(port: try #require(daemon.httpPort()))
            let pid = daemon.process.processIdentifier

            // A lower level and a change that needs a restart: the level applies, the rest is named.
            dir.write("firmware.yaml", "log:\n  level: warning\nsafety:\n  cycle_ms: 2\n")
            kill(pid, SIGHUP)
            #expect(eventually { reloads(http).count == 1 })
            #expect(reloads(http).first == "from \(config); log.level notice → warning; ignored until restart: safety")
            #expect(
                daemon.waitForLog(
                    "level=warning msg=\"reload: these sections changed but need a restart (systemctl restart oht50-firmware): safety\""))

            // At warning, the notice "configuration reloaded" is no longer written; the event still is.
            kill(pid, SIGHUP)
            #expect(eventually { reloads(http).count == 2 })
            #expect(!daemon.log.contains("configuration reloaded"))

            // A bad file changes nothing and says why.
            dir.write("firmware.yaml", "log:\n  level: loud\n")
            kill(pid, SIGHUP)
            #expect(daemon.waitForLog("reload rejected, the running configuration is kept: \(config):2: log.level = \\\"loud\\\""))
            #expect(try http.get("/health").status == 200)

            // Back to info: the notice is written again, and the safety section now matches what runs.
            dir.write("firmware.yaml", "log:\n  level: info\n")
            kill(pid, SIGHUP)
            #expect(daemon.waitForLog("msg=\"configuration reloaded from \(config); log.level warning → info\""))
            // The line is logged just before the event is stored: wait for the event, do not race it.
            #expect(eventually { reloads(http).count == 3 })
            #expect(daemon.terminate() == 0)
        }
    }
}
