import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// The technician's console: the status page in a real headless browser, the event stream it lives
    /// on, and `oht50d status|reset|events` against a running simulated vehicle.
    @Suite("the technician's console")
    struct ConsoleTests {
        typealias Vehicle = SimulatedVehicleTests.Vehicle

        @Test(
            "in headless chromium: a press shows estop, Reset with the token gives ready and says it was logged, a trip's chart is drawn"
        )
        func statusPageInABrowser() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let browser = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "python3", ChildProcess.repository + "/tools/peers/browser_check.py", "http://127.0.0.1:\(v.http.port)", v.dir.path,
                ],
                environment: ["HOME": v.dir.path])
            #expect(browser.waitForExit(timeout: .seconds(180)) == 0, "\(browser.log)")
            for step in [
                "a press turns the page to estop", "Reset with the token gives ready", "the answer says the reset was logged",
                "the token is not in the page", "the trip's recording is drawn",
            ] {
                #expect(browser.log.contains("ok \(step)"), "missing: \(step)\n\(browser.log)")
            }
        }

        @Test("the page and every answer carry a Content-Security-Policy of this daemon only; the page holds no token")
        func pageSecurity() throws {
            let v = try Vehicle()
            for path in ["/", "/ui/app.js", "/api/v1/safety/status", "/nowhere"] {
                let answer = try v.http.get(path)
                #expect(answer.header("Content-Security-Policy")?.hasPrefix("default-src 'self';") == true, "\(path)")
                #expect(answer.header("X-Content-Type-Options") == "nosniff", "\(path)")
            }
            let page = try v.http.get("/")
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.body.contains("<script src=\"/ui/app.js\""))
            #expect(!page.body.contains("<script>") && !page.body.contains("http://") && !page.body.contains("https://"))
            let script = try v.http.get("/ui/app.js").body
            #expect(!page.body.contains(v.token) && !script.contains(v.token))
            // A cross-site form can send no Authorization header: a reset without it changes nothing.
            #expect(
                try v.http.post("/api/v1/safety/reset", body: "", headers: ["Content-Type": "application/x-www-form-urlencoded"]).status
                    == 401)
        }

        @Test("the event stream pushes status and events; Last-Event-ID resumes after that event, without a gap or a repeat")
        func eventStream() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let url = "http://127.0.0.1:\(v.http.port)/api/v1/stream"
            let first = try ChildProcess(executable: "/usr/bin/curl", arguments: ["-sN", url])
            defer { first.kill9() }
            #expect(first.waitForLog("\"state\":\"latched\""))
            v.setEStop("0")
            #expect(first.waitForLog("\"state\":\"estop\""))
            #expect(first.waitForLog("\"kind\":\"trip\""))
            v.setEStop("1")
            var events: [[String: Any]] = []
            #expect(
                eventually {
                    events = (try? v.http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]]) ?? []
                    return events.contains { $0["from"] as? String == "estop" && $0["to"] as? String == "latched" }
                })
            let ids = events.compactMap { $0["id"] as? Int }
            try #require(ids.count >= 3)
            let resumeAfter = ids[ids.count - 3]
            let resumed = try ChildProcess(executable: "/usr/bin/curl", arguments: ["-sN", "-H", "Last-Event-ID: \(resumeAfter)", url])
            defer { resumed.kill9() }
            #expect(resumed.waitForLog("id: \(ids[ids.count - 1])\n"))
            let sent = resumed.log.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(sent == Array(ids.suffix(2)), "resumed after \(resumeAfter): \(sent)")
            #expect(try v.http.get("/api/v1/stream?after=x").status == 400)
        }

        @Test("oht50d status, reset and events against the running daemon, with their exit codes")
        func commandLineClients() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let url = "http://127.0.0.1:\(v.http.port)"
            func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32?, log: String) {
                let p = try ChildProcess.oht50d(arguments: arguments + ["--url", url], environment: environment)
                let status = p.waitForExit()
                return (status, p.log)
            }
            let status = try run(["status"])
            #expect(status.status == 0)
            #expect(status.log.contains("LATCHED") && status.log.contains("power@2") && status.log.contains("motor@3"))
            #expect(status.log.contains("would be accepted") || status.log.contains("estop_release_too_short"))
            let json = try run(["status", "--json"])
            let parsed = (try? JSONSerialization.jsonObject(with: Data(json.log.utf8))) as? [String: Any]
            #expect((parsed?["safety"] as? [String: Any])?["state"] as? String == "latched")
            #expect((parsed?["modules"] as? [Any])?.count == 2)

            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            let refused = try run(["reset", "--data-dir", v.dir.path])
            #expect(refused.status == 1)
            #expect(refused.log.contains("reset refused") && refused.log.contains("- estop_pressed: the E-stop is pressed"))
            let wrongToken = try run(["reset"], environment: ["OHT50_API_TOKEN": "not-the-token"])
            #expect(wrongToken.status == 1)
            #expect(wrongToken.log.contains("refused the token from OHT50_API_TOKEN"))
            v.setEStop("1")
            #expect(eventually { v.state() == "latched" })
            var accepted: (status: Int32?, log: String) = (nil, "")
            #expect(
                eventually(timeout: .seconds(20), poll: .milliseconds(300)) {
                    accepted = (try? run(["reset", "--data-dir", v.dir.path])) ?? (nil, "")
                    return accepted.status == 0
                }, "\(accepted.log)")
            #expect(accepted.log.contains("reset accepted: state ready"))

            let events = try run(["events", "--last", "50"])
            #expect(events.status == 0)
            #expect(events.log.contains("trip latched → estop causes=estop"))
            #expect(events.log.contains("reset_refused"))
            let newest = (try v.http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]])?.last?["id"] as? Int ?? 0
            let follow = try ChildProcess.oht50d(arguments: ["events", "--follow", "--after", "\(newest)", "--url", url])
            defer { follow.kill9() }
            v.setEStop("0")
            #expect(follow.waitForLog("trip ready → estop causes=estop"))

            // Issue 40: the token never crosses the network in clear text; refused before any connection.
            let remote = try ChildProcess.oht50d(
                arguments: ["reset", "--url", "http://192.0.2.1:8081"], environment: ["OHT50_API_TOKEN": "never-sent"])
            #expect(remote.waitForExit() == 1)
            #expect(remote.log.contains("the token would cross the network in clear text") && !remote.log.contains("never-sent"))

            let unreachable = try ChildProcess.oht50d(arguments: ["status", "--url", "http://127.0.0.1:\(FreePort.find())"])
            #expect(unreachable.waitForExit() == 69)
            #expect(unreachable.log.contains("not reachable"))
        }
    }
}
