import Foundation
import OHT50Client
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// Motion commands against the real daemon on the simulated vehicle.
    @Suite("Motion commands, end to end")
    struct MotionTests {
        typealias Vehicle = EndToEnd.SimulatedVehicleTests.Vehicle

        static func move(_ v: Vehicle, _ body: String, token: String? = nil) throws -> DaemonClient.Answer {
            try v.http.post(
                "/api/v1/motion/move", body: body,
                headers: ["Authorization": "Bearer \(token ?? v.token)", "Content-Type": "application/json"])
        }

        @Test("move is refused with every reason while latched, accepted after reset, reaches the drive, and the lease returns to ready")
        func moveAndLease() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let refused = try Self.move(v, #"{"speed":40,"direction":"forward"}"#)
            #expect(refused.status == 409)
            let error = refused.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "motion_inhibited")
            #expect((error?["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["state_not_ready"])

            #expect(eventually(timeout: .seconds(10), poll: .milliseconds(100)) { (try? v.reset(token: v.token))?.status == 200 })
            let accepted = try Self.move(v, #"{"speed":40,"direction":"reverse"}"#)
            #expect(accepted.status == 200)
            #expect(accepted.json["state"] as? String == "moving")
            #expect((accepted.json["drive"] as? [String: Any])?["direction"] as? String == "reverse")
            #expect(eventually { v.http.value(3, "motor1_commanded_speed") == 102 && v.http.value(3, "motor1_direction") == 2 })

            // Not refreshed: the lease (300 ms) stops the drive and the state returns to ready by itself.
            #expect(eventually { v.state() == "ready" })
            #expect(eventually { v.http.value(3, "motor1_enable") == 0 && v.http.value(3, "motor1_commanded_speed") == 0 })
            #expect(v.daemon.waitForLog("motion lease expired"))
            #expect(v.motionEnable == "1")
        }

        /// Issue 26: stop used to be a command in the same queue as moves, answered 503 while the safety
        /// thread stalled, and the drive kept its speed (no lease expiry without the thread) until it resumed.
        @Test("a stop while the safety loop is stalled is answered 200 and the bus thread stops the drive meanwhile")
        func stopDuringStall() throws {
            let v = try Vehicle()
            #expect(eventually(timeout: .seconds(10), poll: .milliseconds(100)) { (try? v.reset(token: v.token))?.status == 200 })
            #expect(try Self.move(v, #"{"speed":40,"direction":"forward"}"#).status == 200)
            #expect(eventually { v.http.value(3, "motor1_commanded_speed") == 102 })
            kill(v.daemon.process.processIdentifier, SIGUSR1)
            #expect(eventually { (try? v.http.get("/health/"))?.status == 503 })
            let stop = try v.http.post("/api/v1/motion/stop")
            #expect(stop.status == 200, "\(stop.body)")
            #expect(eventually { v.http.value(3, "motor1_enable") == 0 && v.http.value(3, "motor1_commanded_speed") == 0 })
            #expect(v.daemon.waitForLog("stop requested while the safety thread is not cycling"))
            #expect(eventually { (try? v.http.get("/health/"))?.status == 200 })
            #expect(v.state() != "moving")
        }

        @Test("stop needs no token and always answers 200, in every state")
        func stopAlwaysAnswers() throws {
            let v = try Vehicle()
            #expect(try v.http.post("/api/v1/motion/stop").status == 200)
            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            let stopped = try v.http.post("/api/v1/motion/stop")
            #expect(stopped.status == 200)
            #expect(stopped.json["state"] as? String == "estop")
        }

        @Test("a pressed E-stop refuses a move naming it; a wrong token is 401 before anything else")
        func moveRefusals() throws {
            let v = try Vehicle()
            #expect(eventually(timeout: .seconds(10), poll: .milliseconds(100)) { (try? v.reset(token: v.token))?.status == 200 })
            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            #expect(v.driveStopConfirmed())
            let refused = try Self.move(v, #"{"speed":10,"direction":"forward"}"#)
            let codes = ((refused.json["error"] as? [String: Any])?["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            #expect(refused.status == 409)
            #expect(codes == ["estop_pressed", "state_not_ready"])
            #expect(try Self.move(v, #"{"speed":10,"direction":"forward"}"#, token: "wrong").status == 401)
        }

        @Test("400 names the bad field")
        func badBodies() throws {
            let v = try Vehicle()
            let cases = [
                (#"{"speed":101,"direction":"forward"}"#, "speed"), (#"{"speed":true,"direction":"forward"}"#, "speed"),
                (#"{"speed":2.5,"direction":"forward"}"#, "speed"), (#"{"direction":"forward"}"#, "speed"),
                (#"{"speed":5,"direction":"up"}"#, "direction"), (#"{"speed":5}"#, "direction"),
                (#"{"speed":5,"direction":"forward","turbo":1}"#, "turbo"), (#"[5]"#, "JSON object"), (#"{"speed":"#, "not valid JSON"),
            ]
            for (body, named) in cases {
                let answer = try Self.move(v, body)
                #expect(answer.status == 400, "\(body)")
                #expect(((answer.json["error"] as? [String: Any])?["message"] as? String)?.contains(named) == true, "\(body)")
                #expect(answer.header("X-Request-ID") != nil)
            }
        }
    }
}
