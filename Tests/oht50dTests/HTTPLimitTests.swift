import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("HTTP limits, end to end")
    struct HTTPLimitTests {
        @Test("a client that never completes a request head is closed by the server; oversized headers are refused")
        func slowClients() throws {
            let v = try EndToEnd.SimulatedVehicleTests.Vehicle()
            let port = v.http.port
            let fd = try DaemonClient.connect(port: port)
            defer { close(fd) }
            // A client trickling a header a byte at a time never completes a request head: the server
            // closes it at the idle timeout all the same (a slowloris gets no more than a silent client).
            let prefix = Array("GET /health HTTP/1.1\r\nX-Slow: ".utf8)
            #expect(send(fd, prefix, prefix.count, Int32(MSG_NOSIGNAL)) == prefix.count)
            var byte: UInt8 = 0
            var closed = false
            let deadline = ContinuousClock.now.advanced(by: .seconds(40))
            while !closed && ContinuousClock.now < deadline {
                var a = UInt8(ascii: "a")
                if send(fd, &a, 1, Int32(MSG_NOSIGNAL)) < 0 { closed = true }
                closed =
                    closed
                    || eventually(timeout: .milliseconds(500), poll: .milliseconds(10)) {
                        recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
                    }
            }
            #expect(closed)

            let huge = try v.http.get("/health", headers: ["X-Filler": String(repeating: "a", count: 20_000)])
            #expect(huge.status == 431 || huge.status == 400)
            #expect(try v.http.get("/health").status == 200)
        }
    }
}

extension EndToEnd.HTTPLimitTests {
    /// DNS rebinding: a page elsewhere re-points its own name at the vehicle, and the browser sends that
    /// name as Host. The daemon answers only its own names.
    @Test("a forged Host gets 421 without the names answered; loopback, the host name and a configured name are served")
    func forgedHost() throws {
        let dir = TemporaryDirectory("oht50-hosts")
        let config = dir.write("firmware.yaml", "http:\n  allowed_hosts: [oht50-07.plant.local, 10.20.0.57]\n")
        let v = try EndToEnd.SimulatedVehicleTests.Vehicle(dir: dir, extraArguments: ["--config", config])
        let forged = try v.http.get("/api/v1/safety/status", headers: ["Host": "rebound.example.com:8081"])
        #expect(forged.status == 421, "\(forged.body)")
        let error = forged.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "misdirected_request")
        let message = error?["message"] as? String ?? ""
        #expect(message.contains("\"rebound.example.com:8081\" is not a name of this vehicle"), "\(message)")
        // Not the list: a rebound page can read this answer, and by default the list is every interface address.
        #expect(!message.contains("oht50-07.plant.local") && !message.contains("10.20.0.57"), "\(message)")
        #expect(message.contains("http.allowed_hosts") && message.contains("start-up log"), "\(message)")
        #expect(forged.header("X-Request-ID") != nil && forged.header("Content-Security-Policy") != nil)
        // The unauthenticated stop, too: a rebound page cannot reach any route.
        #expect(try v.http.post("/api/v1/motion/stop", headers: ["Host": "rebound.example.com"]).status == 421)
        for host in ["localhost:\(v.http.port)", "127.0.0.1", "[::1]:\(v.http.port)", "OHT50-07.Plant.Local.", "10.20.0.57:8081"] {
            #expect(try v.http.get("/health", headers: ["Host": host]).status == 200, "Host: \(host)")
        }
        // A metric series per forged path would be unbounded: what no route answered counts as "unmatched".
        let path = "/\(UUID().uuidString)"
        #expect(try v.http.get(path, headers: ["Host": "rebound.example.com"]).status == 421)
        #expect(try v.http.post("/health\(path)").status == 404)
        let metrics = try v.http.get("/metrics").body
        #expect(metrics.contains("route=\"unmatched\",status=\"421\""), "\(metrics)")
        #expect(!metrics.contains(path), "a raw path became a label: \(metrics)")
        // Nor may a made-up method (the HTTP parser refuses it before any route; were one to get through,
        // it would count as "other").
        _ = try? v.http.request("BREW", "/health")
        #expect(try !v.http.get("/metrics").body.contains("BREW"))
    }

    /// Issue 40: a form on any web page could POST /motion/stop (no token needed) to the vehicle.
    @Test("a change from a page of another origin is refused 403 cross_origin; the vehicle's own page, reads and non-browsers are not")
    func crossOrigin() throws {
        let v = try EndToEnd.SimulatedVehicleTests.Vehicle()
        #expect(eventually { v.state() == "latched" })
        // Another name, another port of this very machine (another service's page), a sandboxed page.
        for origin in [
            "http://evil.example", "http://evil.example:\(v.http.port)", "null", "https://127.0.0.1.evil.example",
            "http://127.0.0.1:8000", "http://127.0.0.1", "https://127.0.0.1:\(v.http.port)/x",
        ] {
            let refused = try v.http.post("/api/v1/motion/stop", headers: ["Origin": origin])
            #expect(refused.status == 403, "Origin: \(origin)")
            #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "cross_origin")
            let reset = try v.http.post("/api/v1/safety/reset", headers: ["Origin": origin, "Authorization": "Bearer \(v.token)"])
            #expect(
                reset.status == 403 && (reset.json["error"] as? [String: Any])?["code"] as? String == "cross_origin", "Origin: \(origin)")
            #expect(try v.http.get("/api/v1/safety/status", headers: ["Origin": origin]).status == 200)
        }
        // The page as the browser loaded it: Origin is scheme:// + Host (letter case and a trailing dot aside).
        for (host, origin) in [
            ("127.0.0.1:\(v.http.port)", "http://127.0.0.1:\(v.http.port)"),
            ("localhost:\(v.http.port)", "http://LocalHost:\(v.http.port)"),
            ("[::1]:\(v.http.port)", "http://[::1]:\(v.http.port)"),
        ] {
            let answer = try v.http.post("/api/v1/motion/stop", headers: ["Host": host, "Origin": origin])
            #expect(answer.status == 200, "Host: \(host), Origin: \(origin)")
        }
        #expect(try v.http.post("/api/v1/motion/stop").status == 200)
    }
}
