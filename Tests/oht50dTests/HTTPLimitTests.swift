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
