import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// Issue 40, item 3: `/opt/oht50/.env` is shared with the backend. Its variables, ours or not, and the
    /// API token are planted with values found nowhere else, and every output is searched for them.
    @Suite("secrets in the environment")
    struct SecretTests {
        /// Values that cannot occur by chance in a log or an answer.
        let neighbour = "nbr-" + UUID().uuidString
        let prefixed = "pfx-" + UUID().uuidString
        let token = "tok-" + UUID().uuidString

        func leaked(_ text: String) -> [String] {
            [neighbour, prefixed, token].filter { text.contains($0) }
        }

        @Test("the backend's variables, under our prefix or not, neither stop the daemon nor reach a log or an answer; nor does the token")
        func plantedSecretsStayOut() throws {
            let environment = [
                "DB_PASSWORD": neighbour, "OHT50_DB_PASSWORD": prefixed, "OHT50_API_TOKEN": token, "OHT50_LOG_LEVEL": "debug",
            ]
            let v = try SimulatedVehicleTests.Vehicle(environment: environment)
            #expect(eventually { v.state() == "latched" })
            #expect(v.daemon.log.contains("environment variables ignored, not settings of oht50d (values not read): OHT50_DB_PASSWORD;"))

            let bearer = ["Authorization": "Bearer \(token)"]
            let wrong = ["Authorization": "Bearer \(prefixed)"]
            var answers: [String] = []
            func keep(_ answer: DaemonClient.Answer) {
                answers.append(answer.body + answer.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
            }
            for path in [
                "/", "/health/", "/health/detailed", "/api/v1/safety/status", "/api/v1/system/status", "/api/v1/modules",
                "/api/v1/events?limit=100", "/metrics", "/api/v1/telemetry", "/api/v1/trips",
            ] {
                keep(try v.http.get(path))
                keep(try v.http.get(path, headers: bearer))
            }
            let refused = try v.http.post("/api/v1/safety/reset", headers: wrong)
            #expect(refused.status == 401 || refused.status == 403)
            keep(refused)
            // Refused at first while the release timer runs (409): tried until accepted.
            var accepted: DaemonClient.Answer?
            #expect(
                eventually {
                    accepted = try? v.http.post("/api/v1/safety/reset", headers: bearer)
                    return accepted?.status == 200
                })
            accepted.map(keep)
            keep(try v.http.post("/api/v1/safety/reset", headers: bearer))
            keep(try v.http.post("/api/v1/motion/move", body: #"{"speed":10,"direction":"forward"}"#, headers: wrong))
            keep(try v.http.get("/api/v1/events?limit=100"))
            #expect(v.daemon.terminate() == 0)

            #expect(leaked(answers.joined(separator: "\n")) == [])
            #expect(leaked(v.daemon.log) == [])
            // Nothing on disk either (the event store, the token file of --simulate, the recorded config).
            for file in (FileManager.default.enumerator(atPath: v.dir.path)?.allObjects as? [String]) ?? [] {
                if let text = try? String(contentsOfFile: v.dir.file(file), encoding: .isoLatin1) {
                    #expect(leaked(text) == [], "in \(file)")
                }
            }
        }

        @Test("check-config and a rejected start with a planted secret in a known setting: 78, the variable named, its value not")
        func rejectedValueStaysOut() throws {
            let dir = TemporaryDirectory("oht50-secret")
            let environment = ["OHT50_HTTP_PORT": prefixed, "OHT50_DB_PASSWORD": neighbour, "OHT50_API_TOKEN": token]
            let check = try ChildProcess.oht50d(
                arguments: ["check-config", "--config", dir.write("firmware.yaml", "{}\n")], environment: environment)
            #expect(check.waitForExit() == 78)
            #expect(check.log.contains("OHT50_HTTP_PORT"))
            #expect(leaked(check.log) == [])
            let run = try ChildProcess.oht50d(
                arguments: ["--simulate", "--data-dir", dir.file("data"), "--config", dir.file("firmware.yaml")], environment: environment)
            #expect(run.waitForExit() == 78)
            #expect(run.log.contains("OHT50_HTTP_PORT"))
            #expect(leaked(run.log) == [])
        }
    }
}
