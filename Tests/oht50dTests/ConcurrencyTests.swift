import Foundation
import OHT50TestSupport
import Synchronization
import Testing

extension EndToEnd {
    @Suite("Concurrent clients")
    struct ConcurrencyTests {
        @Test("200 clients poll status while the E-stop toggles: no 5xx, every answer agrees with the level it was read under")
        func concurrentStatus() throws {
            let v = try SimulatedVehicleTests.Vehicle()
            #expect(eventually { v.state() == "latched" })
            let stop = Atomic<Bool>(false)
            let unseenLevels = Atomic<Int>(0)
            let toggler = Thread {
                var pressed = false
                while !stop.load(ordering: .relaxed) {
                    pressed.toggle()
                    v.setEStop(pressed ? "0" : "1")
                    // The next toggle once the daemon has seen this level, so both levels are served.
                    if !eventually(timeout: .seconds(5), { v.state() == (pressed ? "estop" : "latched") }) {
                        unseenLevels.wrappingAdd(1, ordering: .relaxed)
                    }
                }
                v.setEStop("1")
            }
            toggler.start()

            struct Tally { var answers = 0, serverErrors = 0, failures = 0, inconsistent: [String] = [], pressedSeen = 0 }
            let tally = Mutex(Tally())
            let clients = 200
            let requestsEach = 10
            let done = Atomic<Int>(0)
            for _ in 0..<clients {
                Thread {
                    for _ in 0..<requestsEach {
                        guard let answer = try? v.http.get("/api/v1/safety/status") else {
                            tally.withLock { $0.failures += 1 }
                            continue
                        }
                        let json = answer.json
                        let estop = json["estop"] as? [String: Any]
                        let pressed = estop?["pressed"] as? Bool
                        let state = json["state"] as? String
                        let causes = json["causes"] as? [String] ?? []
                        let consistent =
                            pressed.map {
                                $0 == (state == "estop") && $0 == causes.contains("estop") && estop?["raw"] as? Int == ($0 ? 0 : 1)
                                    && json["motion_permitted"] as? Bool == false
                            } ?? false
                        tally.withLock {
                            $0.answers += 1
                            if answer.status >= 500 { $0.serverErrors += 1 }
                            if pressed == true { $0.pressedSeen += 1 }
                            if !consistent && $0.inconsistent.count < 3 { $0.inconsistent.append(answer.body) }
                        }
                    }
                    done.wrappingAdd(1, ordering: .relaxed)
                }.start()
            }
            #expect(eventually(timeout: .seconds(120)) { done.load(ordering: .relaxed) == clients })
            stop.store(true, ordering: .relaxed)
            let result = tally.withLock { $0 }
            #expect(result.answers + result.failures == clients * requestsEach)
            #expect(result.failures == 0)
            #expect(result.serverErrors == 0)
            #expect(result.inconsistent.isEmpty, "\(result.inconsistent)")
            #expect(result.pressedSeen > 0 && result.pressedSeen < result.answers)
            #expect(unseenLevels.load(ordering: .relaxed) == 0, "an E-stop level the daemon never reported within 5 s")
            #expect(try v.http.get("/health").status == 200)
        }
    }
}
