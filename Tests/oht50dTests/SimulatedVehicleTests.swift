import Foundation
import OHT50Client
import OHT50TestSupport
import Synchronization
import Testing

extension EndToEnd {
    /// The runbook's E-stop procedure against the real `oht50d --simulate` process over loopback HTTP.
    @Suite("oht50d --simulate, end to end")
    struct SimulatedVehicleTests {
        /// A daemon on the simulated vehicle in a private data directory, on a free port.
        final class Vehicle: @unchecked Sendable {
            let dir: TemporaryDirectory
            let daemon: ChildProcess
            let http: DaemonClient

            init(
                dir: TemporaryDirectory = TemporaryDirectory("oht50-e2e"), extraArguments: [String] = [],
                environment: [String: String] = [:]
            ) throws {
                self.dir = dir
                daemon = try ChildProcess.oht50d(
                    arguments: ["--simulate", "--data-dir", dir.path, "--http-port", "0"] + extraArguments, environment: environment)
                guard let port = daemon.httpPort() else {
                    throw DaemonClient.Failure(description: "the daemon never listened; its log:\n\(daemon.log)")
                }
                http = DaemonClient(port: port)
            }

            var token: String { (dir.read("api-token") ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            var estopFile: String { dir.file("sim/gpio59/value") }
            var motionEnable: String? { dir.read("sim/gpio131/value")?.trimmingCharacters(in: .whitespacesAndNewlines) }

            /// Replaces the file (write aside, rename): a loaded test machine can stall a writer between
            /// truncate and write for longer than the daemon tolerates an empty file, which is an
            /// `input_fault` trip, correctly. `echo 0 >` by hand is far quicker than that tolerance.
            func setEStop(_ value: String) {
                try! Data((value + "\n").utf8).write(to: URL(fileURLWithPath: estopFile), options: .atomic)
            }

            func status() throws -> [String: Any] { try http.get("/api/v1/safety/status").json }
            func state() -> String? { http.state() }

            /// After a trip the bus thread stops the drive and reads it back: until then every reset and move
            /// is also refused with `drive_stop_unconfirmed`, truthfully. Waits for that to be over.
            func driveStopConfirmed() -> Bool {
                eventually {
                    let blockedBy = (try? status()["reset_blocked_by"] as? [[String: Any]]) ?? []
                    return !blockedBy.contains { $0["code"] as? String == "drive_stop_unconfirmed" }
                }
            }

            func reset(token: String? = nil) throws -> DaemonClient.Answer {
                try http.post("/api/v1/safety/reset", headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
            }
        }

        @Test("the runbook's E-stop procedure: press, refused reset naming the E-stop, release, 401, 200 → ready")
        func estopProcedure() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            #expect(v.motionEnable == "0")
            #expect(try v.http.get("/health/").json["status"] as? String == "ok")
            let tokenMode = try FileManager.default.attributesOfItem(atPath: v.dir.file("api-token"))[.posixPermissions] as? Int
            #expect(tokenMode == 0o600)
            #expect(v.daemon.log.contains("written to \(v.dir.file("api-token"))"))
            #expect(v.daemon.log.contains("E-stop file \(v.estopFile)"))
            #expect(v.daemon.log.contains("motion-enable file \(v.dir.file("sim/gpio131/value"))"))

            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            let pressed = try v.status()
            #expect((pressed["estop"] as? [String: Any])?["pressed"] as? Bool == true)
            #expect((pressed["estop"] as? [String: Any])?["raw"] as? Int == 0)
            #expect(pressed["causes"] as? [String] == ["estop"])
            #expect(pressed["motion_permitted"] as? Bool == false)
            #expect(v.motionEnable == "0")
            #expect(try v.http.get("/health").status == 200)

            let refused = try v.reset(token: v.token)
            #expect(refused.status == 409)
            #expect(refused.header("X-Request-ID") != nil)
            let error = refused.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "reset_refused")
            let codes = (error?["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
            #expect(codes.contains("estop_pressed"))
            #expect(codes.contains("state_not_latched"))
            #expect(v.state() == "estop")

            v.setEStop("1")
            #expect(eventually { v.state() == "latched" })
            let unauthorized = try v.reset()
            #expect(unauthorized.status == 401)
            #expect((unauthorized.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")

            var accepted: DaemonClient.Answer?
            #expect(
                eventually(timeout: .seconds(10), poll: .milliseconds(100)) {
                    accepted = try? v.reset(token: v.token)
                    return accepted?.status == 200
                })
            #expect(accepted?.json["state"] as? String == "ready")
            #expect(accepted?.json["event_stored"] as? Bool == true)
            #expect(eventually { v.motionEnable == "1" })
            #expect(v.daemon.waitForLog("msg=\"safety reset accepted\""))
            #expect(v.daemon.waitForLog("reasons=estop_pressed,"))
            #expect(!v.daemon.log.contains(v.token))

            v.setEStop("0")
            #expect(eventually { v.motionEnable == "0" })
            #expect(v.state() == "estop")
            #expect(v.daemon.terminate() == 0)
            #expect(v.motionEnable == "0")
        }

        @Test("a restarted daemon comes up latched, never ready, even right after a reset")
        func restartComesUpLatched() throws {
            let dir = TemporaryDirectory("oht50-restart")
            do {
                let first = try Vehicle(dir: dir)
                #expect(
                    eventually(timeout: .seconds(10), poll: .milliseconds(100)) { (try? first.reset(token: first.token))?.status == 200 })
                #expect(first.state() == "ready")
                first.daemon.kill9()
            }
            let second = try Vehicle(dir: dir)
            #expect(eventually { second.state() == "latched" })
            #expect(second.motionEnable == "0")
            #expect(second.token.count == 64)
        }

        @Test("SIGTERM turns motion-enable off and exits 0")
        func sigtermTurnsOutputsOff() throws {
            let v = try Vehicle()
            #expect(eventually(timeout: .seconds(10), poll: .milliseconds(100)) { (try? v.reset(token: v.token))?.status == 200 })
            #expect(eventually { v.motionEnable == "1" })
            #expect(v.daemon.terminate() == 0)
            #expect(v.motionEnable == "0")
            #expect(v.daemon.waitForLog("safety state ready → shutdown"))
        }

        @Test("resets faster than reset_min_interval_ms get 429 with Retry-After; the token from the environment is used")
        func rateLimit() throws {
            let v = try Vehicle(environment: ["OHT50_API_TOKEN": "bench-token-0123456789", "OHT50_HTTP_RESET_MIN_INTERVAL_MS": "60000"])
            #expect(v.dir.read("api-token") == nil)
            #expect(eventually { v.state() == "latched" })
            let first = try v.reset(token: "bench-token-0123456789")
            #expect(first.status == 200 || first.status == 409)
            let second = try v.reset(token: "bench-token-0123456789")
            #expect(second.status == 429)
            #expect(second.header("Retry-After").flatMap(Int.init) ?? 0 > 0)
            #expect((second.json["error"] as? [String: Any])?["code"] as? String == "rate_limited")
            #expect(try v.reset(token: "wrong").status == 401)
        }

        @Test("health/detailed reports the safety loop's scheduling, counters and wake-up latency")
        func detailedHealth() throws {
            let v = try Vehicle()
            #expect(
                eventually { ((try? v.http.get("/health/detailed").json["safety_loop"]) as? [String: Any])?["cycles"] as? Int ?? 0 > 100 })
            let report = try v.http.get("/health/detailed").json
            let loop = try #require(report["safety_loop"] as? [String: Any])
            #expect(["SCHED_FIFO", "SCHED_OTHER"].contains(loop["policy"] as? String ?? ""))
            #expect(loop["period_us"] as? Int == 1_000)
            let cycles = try #require(loop["cycles"] as? Int)
            #expect((0...cycles).contains(loop["overruns"] as? Int ?? -1))
            #expect((0...cycles).contains(loop["stalls"] as? Int ?? -1))
            let latency = try #require(loop["wakeup_latency_us"] as? [String: Any])
            let p50 = try #require(latency["p50"] as? Int)
            let p99 = try #require(latency["p99"] as? Int)
            let max = try #require(latency["max"] as? Int)
            // [upper edge µs, count] for every non-empty bucket, edges rising; the maximum is in the last one.
            let histogram = try #require(latency["histogram"] as? [[Int]])
            let edges = histogram.map { $0[0] }
            #expect(!histogram.isEmpty && edges == edges.sorted() && Set(edges).count == edges.count)
            #expect(histogram.allSatisfy { $0.count == 2 && $0[1] > 0 })
            #expect(histogram.map { $0[1] }.reduce(0, +) > 100)
            #expect(p50 <= p99 && p99 <= edges.last!)
            #expect(max <= edges.last!)
            #expect(edges.count < 2 || max >= edges[edges.count - 2])
            #expect(report["rt"] as? Bool == (loop["policy"] as? String == "SCHED_FIFO"))
        }

        @Test("the RT threads run where cpu.* put them and the async side stays off their CPUs; none leaves them unpinned")
        func cpuPlacement() throws {
            func placement(_ v: Vehicle) throws -> [String: Any] {
                try #require(try v.http.get("/health/detailed").json["cpu_placement"] as? [String: Any])
            }
            func cpus(_ side: Any?, _ key: String) -> [Int]? { (side as? [String: Any])?[key] as? [Int] }
            let v = try Vehicle()
            let auto = try placement(v)
            let online = try #require(auto["online"] as? [Int])
            let safety = auto["safety_thread"]
            let bus = auto["bus_thread"]
            let async = auto["async"]
            if online.count >= 2 {
                let rt = Set((cpus(safety, "pinned") ?? []) + (cpus(bus, "pinned") ?? []))
                #expect(!rt.isEmpty && cpus(safety, "allowed") == cpus(safety, "pinned") && cpus(bus, "allowed") == cpus(bus, "pinned"))
                #expect(rt.isDisjoint(with: cpus(async, "allowed") ?? []), "async side on an RT CPU: \(auto)")
                #expect(rt.contains((safety as? [String: Any])?["last_cpu"] as? Int ?? -1))
            }
            let status = try v.http.get("/api/v1/system/status").json["cpu_placement"] as? [String: Any]
            #expect(status?["basis"] as? String == auto["basis"] as? String)

            let unpinned = try Vehicle(environment: ["OHT50_CPU_SAFETY": "none", "OHT50_CPU_BUS": "none", "OHT50_CPU_ASYNC": "none"])
            let none = try placement(unpinned)
            #expect(cpus(none["safety_thread"], "pinned") == nil && cpus(none["safety_thread"], "allowed") == online)
            #expect(cpus(none["async"], "allowed") == online)
        }

        @Test("errors are JSON with X-Request-ID; a valid incoming request id is echoed")
        func jsonErrors() throws {
            let v = try Vehicle()
            let missing = try v.http.get("/api/v1/nothing")
            #expect(missing.status == 404)
            #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            let wrongMethod = try v.http.request("DELETE", "/api/v1/safety/status")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET")
            let tooLarge = try v.http.post(
                "/api/v1/safety/reset", body: String(repeating: "x", count: 5_000), headers: ["Authorization": "Bearer \(v.token)"])
            #expect(tooLarge.status == 413)
            #expect((tooLarge.json["error"] as? [String: Any])?["code"] as? String == "body_too_large")
            let echoed = try v.http.get("/health", headers: ["X-Request-ID": "tech-42"])
            #expect(echoed.header("X-Request-ID") == "tech-42")
            // Issue 40: the id reaches the log and every command's event, which `oht50d events` prints to a
            // terminal; one that could forge a logfmt field or carry an escape sequence is replaced.
            for forged in [#"a" peer="10.0.0.9"#, "id=x", "tech-é", "\u{1B}[2J"] {
                let answer = try v.http.get("/health", headers: ["X-Request-ID": forged])
                let id = answer.header("X-Request-ID") ?? ""
                // A control byte is already refused by the HTTP parser (400, before any id is given).
                #expect(answer.status == 400 || (id.count == 32 && id.allSatisfy(\.isHexDigit)), "\(forged) → \(answer.status) \(id)")
            }
            #expect(!v.daemon.log.contains("10.0.0.9") && !v.daemon.log.contains("\u{1B}"))
        }

        @Test("--simulate shows living power and drive telemetry with units and age")
        func livingTelemetry() throws {
            let v = try Vehicle()
            #expect(eventually { v.http.value(3, "motor1_actual_speed") != nil && v.http.value(2, "voltage") != nil })
            let telemetry = try v.http.get("/api/v1/telemetry/current").json
            #expect(telemetry["state"] as? String != nil)
            let power = try #require(v.http.module(2))
            #expect(power["online"] as? Bool == true)
            #expect(power["age_ms"] as? Double ?? 1e9 < 60_000)
            let voltage = try #require((power["values"] as? [String: Any])?["voltage"] as? [String: Any])
            #expect(voltage["unit"] as? String == "V")
            #expect((20.0...28.0).contains(voltage["value"] as? Double ?? 0))
            var seen: Set<Double> = []
            #expect(
                eventually(timeout: .seconds(15), poll: .milliseconds(100)) {
                    if let current = v.http.value(2, "current") { seen.insert(current) }
                    return seen.count > 1
                })
            let modules = try v.http.get("/api/v1/modules").json["modules"] as? [[String: Any]]
            #expect(modules?.map { $0["type"] as? String } == ["power", "motor"])
            #expect((modules?.last?["counters"] as? [String: Any])?["transactions"] as? Int ?? 0 > 0)
            #expect(try v.http.get("/api/v1/modules/7").status == 404)
        }

        @Test("system/status reports version, uptime, both threads' scheduling and the config in use")
        func systemStatus() throws {
            let v = try Vehicle()
            let status = try v.http.get("/api/v1/system/status").json
            #expect(status["version"] as? String == "0.1.0")
            #expect(status["simulate"] as? Bool == true)
            let threads = status["threads"] as? [String: [String: Any]]
            #expect(threads?["safety"]?["priority"] as? Int == (threads?["safety"]?["realtime"] as? Bool == true ? 80 : 0))
            #expect(threads?["bus"] != nil)
            let config = status["config"] as? [String: Any]
            #expect(config?["bus_port"] as? String == v.dir.file("sim/ttyOHT485"))
            #expect(config?["modules"] as? [String] == ["power@2", "motor@3"])
            #expect(config?["data_dir"] as? String == v.dir.path)
        }

        @Test("/metrics scrapes in Prometheus text format: state, trips by cause, resets, latency, bus and HTTP series")
        func metrics() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            v.setEStop("0")
            #expect(eventually { v.state() == "estop" })
            _ = try v.reset(token: v.token)
            let scrape = try v.http.get("/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = scrape.body
            for series in [
                "oht50_safety_state{state=\"estop\"} 1.0", "oht50_estop_pressed 1.0", "oht50_trips_total{cause=\"estop\"} 1",
                "oht50_resets_total{outcome=\"refused\"} 1", "oht50_safety_wakeup_latency_seconds_bucket{le=\"+Inf\"}",
                "oht50_safety_loop_overruns_total", "oht50_bus_transactions_total{module=\"3\",type=\"motor\"}",
                "oht50_bus_errors_total{module=\"2\",type=\"power\",class=\"timeout\"} 0",
                "oht50_http_requests_total{route=\"/api/v1/safety/status\",method=\"GET\",status=\"200\"}",
            ] {
                #expect(text.contains(series), "missing \(series)")
            }
        }

        @Test("every reset attempt is in /api/v1/events with its source by the time it is answered, and survives kill -9")
        func eventLog() throws {
            let dir = TemporaryDirectory("oht50-events")
            var ids: [Int] = []
            do {
                let v = try Vehicle(dir: dir)
                #expect(eventually { v.state() == "latched" })
                v.setEStop("0")
                #expect(eventually { v.state() == "estop" })
                #expect(v.driveStopConfirmed())
                let refused = try v.reset(token: v.token)
                #expect(refused.status == 409)
                #expect((refused.json["error"] as? [String: Any])?["event_stored"] as? Bool == true)
                let requestID = try #require(refused.header("X-Request-ID"))
                let events = try v.http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]] ?? []
                let refusal = events.last { $0["kind"] as? String == "reset_refused" }
                #expect((refusal?["source"] as? String)?.hasSuffix("request \(requestID)") == true)
                #expect(refusal?["reasons"] as? [String] == ["state_not_latched", "estop_release_too_short"])
                #expect(refusal?["causes"] as? [String] == ["estop"])
                #expect(events.contains { $0["kind"] as? String == "trip" && $0["causes"] as? [String] == ["estop"] })
                #expect(events.first?["kind"] as? String == "start")
                ids = events.compactMap { $0["id"] as? Int }
                #expect(!v.daemon.log.contains(v.token))
                v.daemon.kill9()
            }
            let again = try Vehicle(dir: dir)
            let after = try again.http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]] ?? []
            #expect(Array(after.compactMap { $0["id"] as? Int }.prefix(ids.count)) == ids)
            let page = try again.http.get("/api/v1/events?after=2&limit=2").json
            #expect((page["events"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [3, 4])
            #expect(page["next_after"] as? Int == 4)
            #expect(try again.http.get("/api/v1/events?limit=5000").status == 400)
            #expect(try again.http.get("/api/v1/events?wait_ms=40000").status == 400)

            // Follow with long-poll: a request waiting for what comes after the newest event returns the
            // trip as soon as it is stored.
            // From the newest event once boot's state change to latched is stored.
            var newestSeen = 0
            #expect(
                eventually {
                    let events = (try? again.http.get("/api/v1/events?after=0&limit=1000").json["events"] as? [[String: Any]]) ?? []
                    newestSeen = events.last?["id"] as? Int ?? 0
                    return events.last?["kind"] as? String == "state_change" && events.last?["to"] as? String == "latched"
                })
            let newest = newestSeen
            let answer = Mutex<DaemonClient.Answer?>(nil)
            let started = Atomic<Bool>(false)
            let follower = Thread {
                started.store(true, ordering: .releasing)
                let response = try? again.http.get("/api/v1/events?after=\(newest)&wait_ms=20000")
                answer.withLock { $0 = response }
            }
            follower.start()
            #expect(eventually { started.load(ordering: .acquiring) })
            again.setEStop("0")
            #expect(eventually { answer.withLock { $0 } != nil })
            let followed = answer.withLock { $0 }?.json ?? [:]
            let kinds = (followed["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            #expect(kinds.first == "trip")
            #expect(try again.http.get("/api/v1/events?after=x").status == 400)
        }

        @Test("a stalled safety loop makes health answer 503 unhealthy, then trips with cause stall when it resumes")
        func stalledLoopIsUnhealthy() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            kill(v.daemon.process.processIdentifier, SIGUSR1)
            var unhealthy: DaemonClient.Answer?
            #expect(
                eventually {
                    unhealthy = try? v.http.get("/health/")
                    return unhealthy?.status == 503
                })
            #expect(unhealthy?.json["status"] as? String == "unhealthy")
            #expect(unhealthy?.json["problems"] as? [String] == ["safety_loop_stalled"])
            #expect(unhealthy?.header("X-Request-ID") != nil)
            #expect(eventually { (try? v.http.get("/health"))?.status == 200 })
            let trip = (try v.status())["last_trip"] as? [String: Any]
            #expect(trip?["causes"] as? [String] == ["stall"])
            let loop = (try v.http.get("/health/detailed").json["safety_loop"]) as? [String: Any]
            #expect(loop?["stalls"] as? Int ?? 0 >= 1)
            #expect(v.daemon.waitForLog("simulated stall"))
        }

        /// Issue 26, as reported: during a 2 s loop stall two resets and a move are answered 503; when the
        /// loop resumes it must trip on the stall and carry none of them out (it used to reset and move).
        @Test("resets and a move answered 503 during a loop stall are never carried out: the loop trips and ends latched")
        func commandsAnswered503AreNotCarriedOut() throws {
            let v = try Vehicle(environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
            #expect(eventually { v.state() == "latched" })
            #expect(eventually { (try? v.reset(token: v.token))?.status == 200 })
            #expect(v.state() == "ready")
            let events = { (try? v.http.get("/api/v1/events?limit=1000").json["events"] as? [[String: Any]]) ?? [] }
            let before = events().last?["id"] as? Int ?? 0

            kill(v.daemon.process.processIdentifier, SIGUSR1)
            #expect(eventually { (try? v.http.get("/health/"))?.status == 503 })
            // All three at once, while the loop stands still.
            let auth = ["Authorization": "Bearer \(v.token)"]
            let requests: [(String, String)] = [
                ("/api/v1/safety/reset", ""), ("/api/v1/safety/reset", ""), ("/api/v1/motion/move", #"{"speed":50,"direction":"forward"}"#),
            ]
            let answers = Mutex<[Int: DaemonClient.Answer]>([:])
            let threads = requests.enumerated().map { index, request in
                Thread {
                    let answer = try? v.http.post(request.0, body: request.1, headers: auth)
                    answers.withLock { $0[index] = answer }
                }
            }
            for thread in threads { thread.start() }
            #expect(eventually { answers.withLock { $0.count } == 3 })
            #expect(eventually { (try? v.http.get("/health/"))?.status == 200 })
            #expect(eventually { v.state() == "latched" })

            // Stored by the event pump shortly after the state changed.
            var after: [[String: Any]] = []
            #expect(
                eventually {
                    after = events().filter { ($0["id"] as? Int ?? 0) > before }
                    return after.filter { $0["source"] != nil }.count >= 3
                }, "\(after)")
            let trip = try #require(
                after.firstIndex { $0["kind"] as? String == "trip" && ($0["causes"] as? [String])?.contains("stall") == true }, "\(after)")
            #expect(
                !after[trip...].contains {
                    $0["kind"] as? String == "reset_accepted" || ["ready", "moving"].contains($0["to"] as? String ?? "")
                })
            let answered = answers.withLock { $0 }
            for index in requests.indices {
                guard let answer = answered[index], answer.status == 503 else { continue }
                let id = try #require(answer.header("X-Request-ID"))
                let event = after.first { ($0["source"] as? String)?.hasSuffix("request \(id)") == true }
                #expect(event?["kind"] as? String == (index < 2 ? "reset_refused" : "command_discarded"), "\(String(describing: event))")
                #expect((event?["reasons"] as? [String])?.contains("command_expired") == true, "\(String(describing: event))")
            }
            #expect(answered.values.filter { $0.status == 503 }.count >= 1, "the stall ended before any request was answered")
            #expect(v.motionEnable == "0")
        }

        @Test(
            "the heartbeat toggles while the loop runs, stands still in a stall, is 0 after a stop; safe-off turns it off after kill -9"
        )
        func heartbeatStopsWithTheLoop() throws {
            let v = try Vehicle()
            let heartbeat = { v.dir.read("sim/heartbeat/value")?.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(eventually { v.state() == "latched" })
            var seen = Set<String>()
            #expect(
                eventually {
                    seen.insert(heartbeat() ?? "")
                    return seen.isSuperset(of: ["0", "1"])
                })

            // Samples taken between two answers of 503 fall inside the stall: no cycle ran between them.
            kill(v.daemon.process.processIdentifier, SIGUSR1)
            var duringStall: [String] = []
            var stallSeen = false
            #expect(
                eventually {
                    let before = (try? v.http.get("/health"))?.status
                    let value = heartbeat() ?? ""
                    let after = (try? v.http.get("/health"))?.status
                    if before == 503 && after == 503 {
                        duringStall.append(value)
                        stallSeen = true
                    }
                    return stallSeen && after == 200
                })
            #expect(duringStall.count >= 2)
            #expect(Set(duringStall).count == 1, "the heartbeat moved during the stall: \(duringStall)")
            seen = []
            #expect(
                eventually {
                    seen.insert(heartbeat() ?? "")
                    return seen.isSuperset(of: ["0", "1"])
                }, "toggling again after the stall")

            #expect(v.daemon.terminate() == 0)
            #expect(heartbeat() == "0")

            let again = try Vehicle(dir: v.dir)
            #expect(eventually { again.state() == "latched" })
            again.daemon.kill9()
            let config = again.dir.write(
                "safe-off.yaml",
                "outputs:\n  motion_enable: {backend: sysfs, sysfs_path: \"\(again.dir.file("sim/gpio131/value"))\"}\n"
                    + "  heartbeat: {backend: sysfs, sysfs_path: \"\(again.dir.file("sim/heartbeat/value"))\"}\nmodules: []\n")
            _ = again.dir.write("sim/heartbeat/value", "1\n")
            let safeOff = try ChildProcess.oht50d(arguments: ["safe-off", "--config", config])
            #expect(safeOff.waitForExit() == 0, "\(safeOff.log)")
            #expect(heartbeat() == "0")
            #expect(safeOff.log.contains("outputs.heartbeat"))
        }

        @Test("a stopped bus thread makes health answer 503 naming it, trips bus_thread_dead, and health recovers when it runs again")
        func stalledBusThreadIsUnhealthy() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            #expect(try v.http.get("/health/").body == #"{"status":"ok"}"#)
            kill(v.daemon.process.processIdentifier, SIGUSR2)
            var unhealthy: DaemonClient.Answer?
            #expect(
                eventually {
                    unhealthy = try? v.http.get("/health/")
                    return unhealthy?.status == 503
                })
            #expect(unhealthy?.json["problems"] as? [String] == ["bus_thread_dead"])
            let detailed = try v.http.get("/health/detailed")
            #expect(detailed.status == 503)
            #expect(detailed.json["problems"] as? [String] == ["bus_thread_dead"])
            #expect(eventually { (try? v.http.get("/health"))?.status == 200 })
            let trip = (try v.status())["last_trip"] as? [String: Any]
            #expect(trip?["causes"] as? [String] == ["bus_thread_dead"])
            #expect(v.daemon.waitForLog("simulated stall: the bus thread stops"))
        }
    }
}
