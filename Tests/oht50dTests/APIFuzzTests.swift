import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// schemathesis (from PyPI, installed by tools/install-deps) generates requests from openapi.yaml
    /// against the live daemon: no 5xx, no status, header or body outside the spec, 405 for methods the
    /// spec does not list, 401 where auth is ignored.
    @Suite("openapi.yaml against the live daemon")
    struct APIFuzzTests {
        @Test("schemathesis finds nothing")
        func schemathesis() throws {
            let v = try EndToEnd.SimulatedVehicleTests.Vehicle(environment: ["OHT50_HTTP_RESET_MIN_INTERVAL_MS": "0"])
            // The spec as written, without the long-poll parameter (every generated wait_ms would be
            // honoured in full, up to 30 s each) and the event stream (it never ends by itself). Both
            // have their own tests.
            let spec = try String(contentsOfFile: ChildProcess.repository + "/openapi.yaml", encoding: .utf8)
            let longPoll = try #require(spec.split(separator: "\n").first { $0.contains("{name: wait_ms,") })
            let streamStart = try #require(spec.range(of: "  /api/v1/stream:\n"))
            let streamEnd = try #require(spec.range(of: "\n  /", range: streamStart.upperBound..<spec.endIndex))
            var trimmed = spec
            trimmed.removeSubrange(streamStart.lowerBound...streamEnd.lowerBound)
            let fuzzSpec = v.dir.write("openapi-fuzz.yaml", trimmed.replacingOccurrences(of: longPoll + "\n", with: ""))
            let run = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "-C", v.dir.path, "python3", "-m", "schemathesis.cli", "run", fuzzSpec,
                    "--url", "http://127.0.0.1:\(v.http.port)", "--header", "Authorization: Bearer \(v.token)",
                    "--checks", "all", "--max-examples", "25", "--seed", "1", "--no-color",
                ],
                environment: ["SCHEMATHESIS_HOOKS": "", "HOME": v.dir.path])
            let status = run.waitForExit(timeout: .seconds(300))
            #expect(status == 0, "schemathesis:\n\(run.log.suffix(6_000))")
            #expect(!v.daemon.log.contains("level=critical"))
            #expect(v.daemon.process.isRunning)
        }
    }
}
