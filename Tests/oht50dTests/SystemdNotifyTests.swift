import Foundation
import OHT50Client
import OHT50TestSupport
import Synchronization
import Testing

extension EndToEnd {
    /// sd_notify against a real unix datagram socket standing in for systemd.
    @Suite("systemd notify")
    struct SystemdNotifyTests {
        /// A bound datagram socket collecting what the daemon sends.
        final class FakeSystemd: @unchecked Sendable {
            let path: String
            private let fd: Int32
            private let messages = Mutex<[(at: ContinuousClock.Instant, text: String)]>([])
            private let running = Atomic<Bool>(true)

            init(path: String) throws {
                self.path = path
                fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
                guard bound == 0 else { throw DaemonClient.Failure(description: "bind \(path): errno \(errno)") }
                var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                Thread { [self] in
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while running.load(ordering: .relaxed) {
                        let n = recv(fd, &buffer, buffer.count, 0)
                        if n > 0 { messages.withLock { $0.append((.now, String(decoding: buffer[0..<n], as: UTF8.self))) } }
                    }
                }.start()
            }

            deinit {
                running.store(false, ordering: .relaxed)
                close(fd)
            }

            var received: [String] { messages.withLock { $0.map(\.text) } }

            /// The longest silence between two consecutive messages starting with `prefix`.
            func longestGap(_ prefix: String) -> Duration {
                let times = messages.withLock { $0.filter { $0.text.hasPrefix(prefix) }.map(\.at) }
                return zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .zero
            }
            func count(_ prefix: String) -> Int { received.filter { $0.hasPrefix(prefix) }.count }
        }

        @Test("READY after the first healthy cycles, WATCHDOG pings that stop while the loop is stalled, STOPPING on SIGTERM, exit 0")
        func notifyLifecycle() throws {
            let dir = TemporaryDirectory("oht50-notify")
            let systemd = try FakeSystemd(path: dir.file("notify.sock"))
            let v = try SimulatedVehicleTests.Vehicle(
                dir: dir, environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "600000"])
            #expect(eventually { systemd.count("READY=1") == 1 })
            #expect(systemd.received.first { $0.hasPrefix("READY=1") }?.contains("STATUS=safety state latched") == true)
            #expect(eventually { systemd.count("WATCHDOG=1") >= 5 })

            // Stall the safety loop for 2 s. Pings come every 300 ms (half the shipped WatchdogSec=600ms) while it cycles; during the stall they
            // stop (the gap is at least half the stall), and they come back when it cycles again.
            kill(v.daemon.process.processIdentifier, SIGUSR1)
            #expect(eventually { (try? v.http.get("/health"))?.status == 503 })
            #expect(eventually { (try? v.http.get("/health"))?.status == 200 })
            let pingsAfterStall = systemd.count("WATCHDOG=1")
            #expect(eventually { systemd.count("WATCHDOG=1") > pingsAfterStall + 2 })
            #expect(systemd.longestGap("WATCHDOG=1") >= .seconds(1))
            #expect(v.daemon.waitForLog("systemd watchdog pings withheld"))
            #expect(
                eventually {
                    systemd.received.contains { $0.contains("STATUS=safety state fault") || $0.contains("STATUS=safety state latched") }
                })

            let logBeforeStop = v.daemon.log.count
            #expect(v.daemon.terminate() == 0)
            #expect(eventually { systemd.count("STOPPING=1") == 1 })
            #expect(v.motionEnable == "0")
            // A stop is not a stall: the RT threads end on purpose and nothing is reported as an error.
            let stopLog = String(v.daemon.log.dropFirst(logBeforeStop))
            #expect(!stopLog.contains("level=error"), "\(stopLog)")
            #expect(stopLog.contains("oht50d stopped: motion-enable off"))
        }
    }
}
