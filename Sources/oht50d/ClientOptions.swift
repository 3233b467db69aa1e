import ArgumentParser
import FoundationEssentials
import OHT50Client
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// `--url` of the running daemon, shared by the client commands (status, reset, events).
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The running daemon's endpoint.", valueName: "url"))
    var url = "http://127.0.0.1:8081"

    /// The client, or exit 69 (the daemon's address is unusable).
    func client() throws -> DaemonClient {
        do {
            return try DaemonClient(url: url)
        } catch {
            printError("oht50d: \(error)")
            throw ExitStatus.hardwareMissing
        }
    }
}

func printError(_ text: String) {
    Console.error(text)
}
