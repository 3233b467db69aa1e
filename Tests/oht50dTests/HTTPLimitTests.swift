import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    @Suite("HTTP limits, end to end")
    struct HTTPLimitTests {
        @Test("a connection that sends nothing is closed by the server; oversized headers are refused")
        func slowClients() throws {
            let v = try EndToEnd.SimulatedVehicleTests.Vehicle()
            let port = v.http.port
            let fd = try HTTPTestClient.connect(port: port)
            defer { close(fd) }
            var byte: UInt8 = 0
            // recv returns 0 (EOF) once the server gives up on the idle connection; the socket's own
            // timeout (10 s) makes each recv return -1 while waiting.
            #expect(eventually(timeout: .seconds(40), poll: .milliseconds(10)) { recv(fd, &byte, 1, 0) == 0 })

            let huge = try v.http.get("/health", headers: ["X-Filler": String(repeating: "a", count: 20_000)])
            #expect(huge.status == 431 || huge.status == 400)
            #expect(try v.http.get("/health").status == 200)
        }
    }
}
