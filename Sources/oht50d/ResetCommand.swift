import ArgumentParser
import FoundationEssentials
import OHT50Client
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d reset`: a safety reset on the running daemon. Over the control socket (the default) the
/// daemon authorises by who connects, so no token is read or sent; with `--url` (HTTP) the token is
/// found where a technician with sudo has it — `OHT50_API_TOKEN`, `--token-file`, `<data-dir>/api-token`
/// (the simulated vehicle), `/opt/oht50/.env` (the vehicle) — so it is never copied by hand. Exit 0
/// accepted, 1 refused (every reason printed), 69 not reachable.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Reset the running daemon's safety latch (a reset never starts motion).",
        discussion: """
            Over the control socket (the default: root or the group oht50) no token is needed. With --url (plain \
            http, to this machine only: 127.0.0.1, ::1, localhost) the token comes from OHT50_API_TOKEN, else \
            --token-file, else <data-dir>/api-token (--simulate; the default ./.oht50 only when not root), else the \
            OHT50_API_TOKEN= line of /opt/oht50/.env. Exit codes: 0 accepted, 1 refused (every reason is printed) or no \
            token, 69 the daemon is not reachable.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("With --url: a file holding the token, alone or as OHT50_API_TOKEN=….", valueName: "path"))
    var tokenFile: String?
    @Option(
        help: ArgumentHelp(
            "Acknowledge a latched fault by name after checking it: contactor_feedback (the motion-enable relay's feedback).",
            valueName: "fault"))
    var acknowledge: [String] = []

    func validate() throws {
        for name in acknowledge where name != "contactor_feedback" {
            throw ValidationError("--acknowledge \(name): not a fault a reset acknowledges; allowed: contactor_feedback")
        }
    }

    func run() throws {
        let daemon = try client.client()
        var headers: [String: String] = [:]
        var source = "the control socket"
        if client.overHTTP {
            if !daemon.reachesLoopbackOnly {
                printError(
                    "oht50d: --url \(daemon.url): the token would cross the network in clear text; plain http is for this "
                        + "machine's own daemon (127.0.0.1, ::1, localhost). On the vehicle itself, reset over the control socket "
                        + "(no --url)")
                throw ExitCode.failure
            }
            let finder = TokenFinder(
                environment: ProcessInfo.processInfo.environment, tokenFile: tokenFile, dataDir: client.dataDir, isRoot: geteuid() == 0,
                read: { try? String(contentsOfFile: $0, encoding: .utf8) })
            guard let found = finder.find() else {
                printError(
                    "oht50d: no API token for --url: set OHT50_API_TOKEN, or pass --token-file (the vehicle's is /opt/oht50/.env, "
                        + "readable by root); without --url the control socket needs none")
                throw ExitCode.failure
            }
            headers["Authorization"] = "Bearer \(found.token)"
            source = "the token from \(found.source)"
        }
        let answer: DaemonClient.Answer
        do {
            let body = acknowledge.isEmpty ? "" : #"{"acknowledge":["contactor_feedback"]}"#
            if !body.isEmpty { headers["Content-Type"] = "application/json" }
            answer = try daemon.request("POST", "/api/v1/safety/reset", body: body, headers: headers)
        } catch {
            printError("oht50d: \(error)")
            throw ExitStatus.hardwareMissing
        }
        let body = answer.value
        switch answer.status {
        case 200:
            print("reset accepted: state \(body["state"]?.string ?? "?") (motion still needs a move command)")
        case 409:
            let error = body["error"]
            print("reset refused (state \(error["state"]?.string ?? "?")):")
            for reason in error["reasons"]?.array ?? [] {
                print("- \(reason["code"]?.string ?? ""): \(reason["message"]?.string ?? "")")
            }
            throw ExitCode.failure
        case 401:
            printError(
                "oht50d: the daemon refused \(source): \(body["error"]["message"]?.string ?? "401")")
            throw ExitCode.failure
        case 403:
            printError("oht50d: the daemon refused \(source): \(body["error"]["message"]?.string ?? "403")")
            throw ExitCode.failure
        default:
            printError("oht50d: reset answered \(answer.status): \(body["error"]["message"]?.string ?? "")")
            throw ExitCode.failure
        }
    }
}
