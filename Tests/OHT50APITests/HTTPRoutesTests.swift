import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OHT50Core
import OHT50IO
import OHT50Runtime
import OHT50TestSupport
import Testing

@testable import OHT50API

/// Every error status the :8081 endpoint answers and the JSON it answers with, over real HTTP on
/// loopback (HummingbirdTesting `.live`), against a real safety loop on its own thread with a simulated
/// E-stop and motion-enable — in process, without spawning the daemon.
@Suite("HTTP routes, in process")
struct HTTPRoutesTests {
    static let token = "in-process-test-token"

    /// A safety loop (not started unless `running`), the API over it, and the application serving it.
    final class Rig: Sendable {
        let loop: SafetyLoop
        let estop = SimulatedEStopInput()
        let motionEnable = SimulatedOutputLine()
        let api: SafetyAPI

        /// A SCHED_OTHER thread on a loaded machine may wait seconds for a CPU: the default max_stall is
        /// far above that, so the loop does not trip `stall` under the suite's own load.
        init(resetMinIntervalMs: Int = 0, maxStallNs: UInt64 = 600_000_000_000, running: Bool = true) throws {
            loop = SafetyLoop(
                timings: SafetyTimings(
                    cycleNs: 1_000_000, resetReleaseNs: 20_000_000, maxStallNs: maxStallNs, motionLeaseNs: 2_000_000_000),
                input: estop, outputs: SafetyOutputLines(motionEnable: motionEnable))
            api = SafetyAPI(
                loop: loop.view, bus: nil, token: BearerToken(HTTPRoutesTests.token), resetMinIntervalMs: resetMinIntervalMs,
                info: DaemonInfo(
                    startedAt: 0, scheduling: SchedulingResult(policy: "SCHED_OTHER", priority: 0, realtime: false), memoryLocked: false),
                logger: Logger(label: "test"))
            if running { _ = try loop.start(priority: 0) }
        }

        deinit { loop.stop() }

        func application() -> some ApplicationProtocol {
            Application(router: api.router(), server: HTTPLimits.server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }

        /// Waits (30 s at most) for the safety state to be `state`.
        func waitFor(_ state: SafetyState) async -> Bool {
            if await eventually(timeout: .seconds(30), { loop.view.snapshot.machine.state == state }) { return true }
            let machine = loop.view.snapshot.machine
            Issue.record("state \(machine.state.name), not \(state.name), after 30 s; causes \(machine.activeCauses.names)")
            return false
        }
    }

    static var auth: HTTPFields { [.authorization: "Bearer \(token)"] }

    /// The body as a JSON object.
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    /// `{"error": {"code": …, "message": …}}`: the code, and a message that is not empty.
    static func errorCode(_ response: TestResponse) throws -> String? {
        let error = try json(response)["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.isEmpty == false)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        return error?["code"] as? String
    }

    static func resetUntilReady(_ client: some TestClientProtocol, _ rig: Rig) async throws {
        #expect(await rig.waitFor(.latched), "boot is latched")
        let accepted = try await eventually(timeout: .seconds(30), poll: .milliseconds(10)) {
            try await client.execute(uri: "/api/v1/safety/reset", method: .post, headers: auth).status == .ok
        }
        if !accepted { Issue.record("reset was never accepted") }
    }

    @Test("401: a reset or a move without the bearer token, or with a wrong one, names the header to send; nothing reaches the loop")
    func unauthorized() async throws {
        let rig = try Rig()
        #expect(await rig.waitFor(.latched))
        try await rig.application().test(.live) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(Self.token)"]] {
                for uri in ["/api/v1/safety/reset", "/api/v1/motion/move"] {
                    let response = try await client.execute(
                        uri: uri, method: .post, headers: headers, body: ByteBuffer(string: #"{"speed":10,"direction":"forward"}"#))
                    #expect(response.status == .unauthorized, "\(uri) \(headers)")
                    #expect(try Self.errorCode(response) == "unauthorized")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
            }
        }
        #expect(rig.loop.view.snapshot.machine.state == .latched)
    }

    @Test("400: a move body that is not JSON, not an object, has an unknown or missing field, or a speed out of 0–100 says which")
    func badMoves() async throws {
        let rig = try Rig()
        let cases: [(String, String, String)] = [
            ("{not json", "malformed_json", "valid JSON"), ("[1,2]", "bad_request", "JSON object"),
            (#"{"speed":10,"direction":"forward","turbo":true}"#, "unknown_field", "\"turbo\""),
            (#"{"direction":"forward"}"#, "missing_field", "\"speed\""),
            (#"{"speed":101,"direction":"forward"}"#, "invalid_field", "0–100"),
            (#"{"speed":10,"direction":"up"}"#, "invalid_field", "\"direction\""),
        ]
        try await rig.application().test(.live) { client in
            for (body, code, mention) in cases {
                let response = try await client.execute(
                    uri: "/api/v1/motion/move", method: .post, headers: Self.auth, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try Self.errorCode(response) == code, "\(body)")
                let message = try #require((try Self.json(response)["error"] as? [String: Any])?["message"] as? String)
                #expect(message.contains(mention), "\(body): \(message)")
            }
        }
    }

    @Test("404: an unknown route and an unknown module; 405 with Allow for a known route and a wrong method")
    func notFoundAndWrongMethod() async throws {
        let rig = try Rig()
        try await rig.application().test(.live) { client in
            let missing = try await client.execute(uri: "/api/v1/nothing-here", method: .get)
            #expect(missing.status == .notFound)
            #expect(try Self.errorCode(missing) == "not_found")

            let module = try await client.execute(uri: "/api/v1/modules/7", method: .get)
            #expect(module.status == .notFound)
            #expect(try Self.errorCode(module) == "module_not_found")

            let wrong = try await client.execute(uri: "/api/v1/safety/reset", method: .get)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "POST")
            #expect(try Self.errorCode(wrong) != nil)
        }
    }

    @Test("409: a reset outside latched and a move outside ready are refused with every reason; a reset that is accepted answers ready")
    func refusals() async throws {
        let rig = try Rig()
        try await rig.application().test(.live) { client in
            #expect(await rig.waitFor(.latched))
            let move = try await client.execute(
                uri: "/api/v1/motion/move", method: .post, headers: Self.auth,
                body: ByteBuffer(string: #"{"speed":10,"direction":"forward"}"#))
            #expect(move.status == .conflict)
            #expect(try Self.errorCode(move) == "motion_inhibited")
            #expect(!rig.motionEnable.isOn)

            try await Self.resetUntilReady(client, rig)
            #expect(rig.loop.view.snapshot.machine.state == .ready)
            let again = try await client.execute(uri: "/api/v1/safety/reset", method: .post, headers: Self.auth)
            #expect(again.status == .conflict)
            #expect(try Self.errorCode(again) == "reset_refused")
            let reasons = try #require((try Self.json(again)["error"] as? [String: Any])?["reasons"] as? [[String: Any]])
            #expect(reasons.compactMap { $0["code"] as? String } == ["state_not_latched"])
            #expect(rig.loop.view.snapshot.machine.state == .ready, "a refused reset changes nothing")
        }
    }

    @Test("413: a body over 4 KiB is refused before it is read; the loop is not asked")
    func bodyTooLarge() async throws {
        let rig = try Rig()
        #expect(await rig.waitFor(.latched))
        try await rig.application().test(.live) { client in
            for uri in ["/api/v1/safety/reset", "/api/v1/motion/move", "/api/v1/motion/stop"] {
                let response = try await client.execute(
                    uri: uri, method: .post, headers: Self.auth, body: ByteBuffer(string: String(repeating: "x", count: 5_000)))
                #expect(response.status == .contentTooLarge, "\(uri)")
                #expect(try Self.errorCode(response) == "body_too_large")
            }
        }
        #expect(rig.loop.view.snapshot.machine.state == .latched)
    }

    @Test("429: a second reset inside reset_min_interval_ms is refused with Retry-After and never reaches the loop")
    func rateLimited() async throws {
        let rig = try Rig(resetMinIntervalMs: 60_000)
        #expect(await rig.waitFor(.latched))
        try await rig.application().test(.live) { client in
            let first = try await client.execute(uri: "/api/v1/safety/reset", method: .post, headers: Self.auth)
            #expect(first.status != .tooManyRequests)
            let second = try await client.execute(uri: "/api/v1/safety/reset", method: .post, headers: Self.auth)
            #expect(second.status == .tooManyRequests)
            #expect(try Self.errorCode(second) == "rate_limited")
            let retry = try #require(second.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(retry))
        }
    }

    @Test(
        "503: a loop whose last cycle is older than max_stall is safety_loop_stalled; a command it does not take is withdrawn and never run"
    )
    func unavailable() async throws {
        // The loop is stepped here, on a clock that ended 0.8 s ago: latched, resettable, and stalled now.
        let rig = try Rig(maxStallNs: 100_000_000, running: false)
        var now = MonotonicClock.now() - 1_000_000_000
        for _ in 0..<200 {
            now += 1_000_000
            rig.loop.runCycle(now: now)
        }
        #expect(rig.loop.view.snapshot.machine.state == .latched)
        try await rig.application().test(.live) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            let body = try Self.json(health)
            #expect(body["status"] as? String == "unhealthy")
            #expect(body["problems"] as? [String] == ["safety_loop_stalled"])
            #expect(try await client.execute(uri: "/health/detailed", method: .get).status == .serviceUnavailable)

            let reset = try await client.execute(uri: "/api/v1/safety/reset", method: .post, headers: Self.auth)
            #expect(reset.status == .serviceUnavailable)
            #expect(try Self.errorCode(reset) == "safety_thread_unresponsive")
        }
        // The loop cycles again: the withdrawn reset, which it would have accepted, is not carried out.
        for _ in 0..<50 {
            now += 1_000_000
            rig.loop.runCycle(now: now)
        }
        let snapshot = rig.loop.view.snapshot
        #expect(snapshot.machine.state == .latched)
        #expect(snapshot.machine.resetRefusal(now: snapshot.at).isEmpty, "a reset would be accepted now")
    }

    @Test(
        "JSON shape: /health is exactly {\"status\":\"ok\"}; safety status has every documented field in snake_case, null included"
    )
    func shapes() async throws {
        let rig = try Rig()
        #expect(await rig.waitFor(.latched))
        try await rig.application().test(.live) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == #"{"status":"ok"}"#)

            let status = try await client.execute(uri: "/api/v1/safety/status", method: .get)
            let text = String(buffer: status.body)
            let object = try Self.json(status)
            #expect(
                Set(object.keys) == [
                    "state", "estop", "latched", "motion_permitted", "motion_enable_output", "causes", "reset_allowed", "reset_blocked_by",
                    "last_trip", "since", "in_state_ms",
                ])
            #expect(text.contains(#""last_trip":null"#))
            #expect(object["state"] as? String == "latched")
            #expect(Set((object["estop"] as? [String: Any])?.keys ?? [:].keys) == ["pressed", "raw", "input_fault", "input"])

            let detailed = try Self.json(try await client.execute(uri: "/health/detailed", method: .get))
            let loop = try #require(detailed["safety_loop"] as? [String: Any])
            #expect(loop["period_us"] as? Int == 1_000)
            #expect((loop["cycles"] as? Int ?? 0) > 0)
            #expect(detailed["cpu_dma_latency_held"] as? Bool == false)
        }
    }
}
