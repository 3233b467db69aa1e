import Foundation
import OHT50TestSupport
import Testing

extension EndToEnd {
    /// The local control socket: `oht50d status|reset|events` without a token, authorised by who connects,
    /// and never a word to anybody else on the path (issue 32's token-squatting recipe).
    @Suite("the control socket")
    struct ControlSocketTests {
        typealias Vehicle = SimulatedVehicleTests.Vehicle
        static let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]

        static func run(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws -> (
            status: Int32?, log: String
        ) {
            let p = try ChildProcess.oht50d(arguments: arguments, environment: environment, launcher: launcher)
            let status = p.waitForExit()
            return (status, p.log)
        }

        @Test("status, reset and events over <data-dir>/control.sock: 0660, no token read, the event names the uid; a stranger is refused")
        func clientsOverTheSocket() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let socket = v.dir.file("control.sock")
            let attributes = try FileManager.default.attributesOfItem(atPath: socket)
            #expect(attributes[.type] as? FileAttributeType == .typeSocket)
            #expect(attributes[.posixPermissions] as? Int == 0o660)
            #expect(v.daemon.log.contains("control socket listening"))

            let status = try Self.run(["status", "--data-dir", v.dir.path])
            #expect(status.status == 0)
            #expect(status.log.contains("oht50d at unix:\(socket): ok") && status.log.contains("LATCHED"), "\(status.log)")

            // A wrong token in the environment changes nothing: over the socket none is read or sent.
            var accepted: (status: Int32?, log: String) = (nil, "")
            #expect(
                eventually(timeout: .seconds(20), poll: .milliseconds(300)) {
                    accepted =
                        (try? Self.run(["reset", "--socket", socket], environment: ["OHT50_API_TOKEN": "not-the-token"])) ?? (nil, "")
                    return accepted.status == 0
                }, "\(accepted.log)")
            #expect(accepted.log.contains("reset accepted: state ready"))
            let events = try Self.run(["events", "--data-dir", v.dir.path, "--last", "5"])
            #expect(events.status == 0)
            #expect(events.log.contains("reset_accepted latched → ready source=\"http control socket uid 0 (root) pid "), "\(events.log)")

            // Somebody the kernel lets through (group root in this process only) but the user database does
            // not put in the daemon's group: 403 from the daemon, nothing changed.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: v.dir.path)
            let groupOnly = try Self.run(
                ["reset", "--socket", socket],
                launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--groups=0", "--inh-caps=-all"])
            #expect(groupOnly.status == 1)
            #expect(groupOnly.log.contains("may not use the control socket"), "\(groupOnly.log)")
            // Anybody else: the socket's mode refuses them, and the message says what to do.
            let stranger = try Self.run(["status", "--socket", socket], launcher: Self.nobody)
            #expect(stranger.status == 69)
            #expect(stranger.log.contains("permission denied") && stranger.log.contains("group oht50"), "\(stranger.log)")
            #expect(v.state() == "ready")
        }

        @Test("the daemon stopped, a squatter on its socket: sudo oht50d reset sends it nothing and says who it is; nothing there: 69")
        func squatterLearnsNothing() throws {
            let dir = TemporaryDirectory("oht50-squat")
            dir.makeWorldWritable()
            let socket = dir.file("control.sock")
            let squatter = try ChildProcess(
                executable: "/usr/bin/python3",
                arguments: [
                    "-c",
                    """
                    import os, socket, sys
                    s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(4)
                    print("listening", flush=True)
                    while True:
                        c, _ = s.accept(); data = b""
                        while chunk := c.recv(4096): data += chunk
                        print(f"received {len(data)} bytes: {data!r}", flush=True); c.close()
                    """,
                    socket,
                ], launcher: Self.nobody)
            defer { squatter.kill9() }
            #expect(squatter.waitForLog("listening"))
            let token = "squat-me-\(UUID().uuidString)"
            let reset = try Self.run(["reset", "--data-dir", dir.path], environment: ["OHT50_API_TOKEN": token])
            #expect(reset.status == 69)
            #expect(reset.log.contains("running as nobody (uid 65534)") && reset.log.contains("nothing was sent"), "\(reset.log)")
            #expect(squatter.waitForLog("received 0 bytes"), "\(squatter.log)")
            #expect(!squatter.log.contains(token))

            squatter.kill9()
            try FileManager.default.removeItem(atPath: socket)
            let nothing = try Self.run(["reset", "--data-dir", dir.path], environment: ["OHT50_API_TOKEN": token])
            #expect(nothing.status == 69)
            #expect(nothing.log.contains("unix:/run/oht50/control.sock: the daemon is not reachable"), "\(nothing.log)")
        }

        @Test("a socket path this user cannot bind: exit 69 naming it and what it needs, before the vehicle opens")
        func unbindableSocket() throws {
            let data = TemporaryDirectory("oht50-unbindable")
            data.makeWorldWritable()
            let rootOnly = TemporaryDirectory("oht50-root-only")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: rootOnly.path)
            let socket = rootOnly.file("control.sock")
            let daemon = try ChildProcess.oht50d(
                arguments: ["--simulate", "--data-dir", data.file("data"), "--http-port", "0", "--control-socket", socket],
                launcher: Self.nobody)
            #expect(daemon.waitForExit() == 69)
            #expect(
                daemon.log.contains("http.control_socket \(socket): cannot be bound (Permission denied): it needs a directory"),
                "\(daemon.log)")
            #expect(!daemon.log.contains("HTTP listening"))
        }

        @Test("a second daemon on the same socket exits 69 naming it before opening the vehicle; the first keeps answering")
        func secondDaemonRefused() throws {
            let v = try Vehicle()
            #expect(eventually { v.state() == "latched" })
            let other = TemporaryDirectory("oht50-second")
            let config = other.write("firmware.yaml", "http:\n  control_socket: \(v.dir.file("control.sock"))\n")
            let second = try ChildProcess.oht50d(
                arguments: ["--simulate", "--config", config, "--data-dir", other.file("data"), "--http-port", "0"])
            #expect(second.waitForExit() == 69)
            #expect(second.log.contains("http.control_socket \(v.dir.file("control.sock")): another oht50d serves it already"))
            #expect(!second.log.contains("HTTP listening") && !second.log.contains("hardware"), "\(second.log)")
            #expect(try Self.run(["status", "--data-dir", v.dir.path]).status == 0)
        }
    }
}
