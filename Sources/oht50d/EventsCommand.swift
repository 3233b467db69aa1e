import ArgumentParser
import FoundationEssentials
import OHT50Client

#if canImport(Glibc)
import Glibc
#endif

/// `oht50d events [--follow]`: the running daemon's event log, oldest first, one line each; `--follow`
/// keeps printing new ones as they are stored (long-poll, nothing is missed). Exit 0, or 69 when the
/// daemon is not reachable.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print the running daemon's event log; --follow waits for new events.",
        discussion: "Exit codes: 0, 69 the daemon is not reachable.")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Keep printing new events as they are stored (Ctrl-C ends it).") var follow = false
    @Option(help: "Only events after this id.") var after: Int64 = 0
    @Option(help: "Without --after: only the newest this many (then, with --follow, every new one).") var last = 20
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let daemon = try client.client()
        var after = self.after
        var backlog: [JSONValue] = []
        repeat {
            let events = try page(daemon, after: after, waitMs: 0)
            backlog += events
            if self.after == 0 && backlog.count > last { backlog.removeFirst(backlog.count - last) }
            after = events.last.flatMap(Self.id) ?? after
            if events.count < Self.pageSize { break }
        } while true
        for event in backlog { print(json ? Self.jsonLine(event) : Self.line(event)) }
        fflush(nil)
        while follow {
            for event in try page(daemon, after: after, waitMs: 25_000) {
                print(json ? Self.jsonLine(event) : Self.line(event))
                after = Self.id(event) ?? after
            }
            fflush(nil)
        }
    }

    static let pageSize = 1_000

    static func id(_ event: JSONValue) -> Int64? { event["id"]?.int64 }

    private func page(_ daemon: DaemonClient, after: Int64, waitMs: Int) throws -> [JSONValue] {
        let path = "/api/v1/events?after=\(after)&limit=\(Self.pageSize)" + (waitMs > 0 ? "&wait_ms=\(waitMs)" : "")
        let answer: DaemonClient.Answer
        do {
            answer = try daemon.request("GET", path, timeoutSeconds: waitMs / 1000 + 10)
        } catch {
            printError("oht50d: \(error)")
            throw ExitStatus.hardwareMissing
        }
        guard answer.status == 200 else {
            printError("oht50d: events answered \(answer.status): \(answer.body)")
            throw ExitCode.failure
        }
        return answer.value["events"]?.array ?? []
    }

    static func line(_ e: JSONValue) -> String {
        var text = "\(e["id"]?.display ?? "") \(e["time"]?.string ?? "") \(e["kind"]?.string ?? "")"
        if let from = e["from"]?.string, let to = e["to"]?.string { text += " \(from) → \(to)" }
        if let causes = e["causes"]?.strings, !causes.isEmpty { text += " causes=\(causes.joined(separator: ","))" }
        if let reasons = e["reasons"]?.strings, !reasons.isEmpty { text += " refused=\(reasons.joined(separator: ","))" }
        if let source = e["source"]?.string { text += " source=\"\(source)\"" }
        if let detail = e["detail"]?.string { text += " detail=\"\(detail)\"" }
        return text
    }

    static func jsonLine(_ e: JSONValue) -> String { e.text }
}
