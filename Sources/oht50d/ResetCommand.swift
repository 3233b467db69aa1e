import ArgumentParser
import FoundationEssentials
import OHT50Client
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d reset`: a safety reset on the running daemon, with the token found where a technician with
/// sudo has it — `OHT50_API_TOKEN`, `--token-file`, `<data-dir>/api-token` (the simulated vehicle),
/// `/opt/oht50/.env` (the vehicle) — so it is never copied by hand. Exit 0 accepted, 1 refused (every
/// reason printed), 69 not reachable.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Reset the running daemon's safety latch (a reset never starts motion).",
        discussion: """
            Token: OHT50_API_TOKEN, else --token-file, else <data-dir>/api-token (default ./.oht50, --simulate), \
            else /opt/oht50/.env. Exit codes: 0 accepted, 1 refused (every reason is printed) or no token, \
            69 the daemon is not reachable.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("A file holding the token, alone or as OHT50_API_TOKEN=….", valueName: "path")) var tokenFile: String?
    @Option(help: ArgumentHelp("The simulated vehicle's data directory, for its api-token.", valueName: "dir")) var dataDir = "./.oht50"

    func run() throws {
        let daemon = try client.client()
        guard let (token, source) = findToken() else {
            printError(
                "oht50d: no API token: set OHT50_API_TOKEN, or pass --token-file (the vehicle's is /opt/oht50/.env, readable by root)")
            throw ExitCode.failure
        }
        let answer: DaemonClient.Answer
        do {
            answer = try daemon.request("POST", "/api/v1/safety/reset", headers: ["Authorization": "Bearer \(token)"])
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
                "oht50d: the daemon refused the token from \(source): \(body["error"]["message"]?.string ?? "401")")
            throw ExitCode.failure
        default:
            printError("oht50d: reset answered \(answer.status): \(body["error"]["message"]?.string ?? "")")
            throw ExitCode.failure
        }
    }

    private func findToken() -> (String, String)? {
        if let token = ProcessInfo.processInfo.environment["OHT50_API_TOKEN"], !token.isEmpty { return (token, "OHT50_API_TOKEN") }
        let candidates = [tokenFile, dataDir + "/api-token", "/opt/oht50/.env"].compactMap { $0 }
        for path in candidates {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmed
                let value = trimmed.hasPrefix("OHT50_API_TOKEN=") ? String(trimmed.dropFirst("OHT50_API_TOKEN=".count)) : trimmed
                let token = value.trimming { $0 == "\"" || $0 == "'" }
                if !token.isEmpty && !token.hasPrefix("#") && !token.contains("=") { return (token, path) }
            }
        }
        return nil
    }
}
