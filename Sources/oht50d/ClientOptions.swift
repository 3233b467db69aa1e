import ArgumentParser
import FoundationEssentials
import OHT50Client
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// How the client commands (status, reset, events) reach the running daemon: its control socket by
/// default — `/run/oht50/control.sock`, or the simulated vehicle's `<data-dir>/control.sock` when the
/// vehicle's is not there — and over HTTP only when `--url` asks for it. Over the socket the kernel says
/// who serves it, and nothing is sent unless that is root, the `oht50` user or the caller: a program
/// squatting on the path (or on TCP port 8081 while the service is stopped) learns nothing.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's control socket (http.control_socket).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Talk HTTP to this endpoint instead (http://HOST:PORT); reset then needs the token.", valueName: "url"))
    var url: String?

    @Option(
        help: ArgumentHelp("The simulated vehicle's data directory (its control.sock and api-token; default ./.oht50).", valueName: "dir"))
    var dataDir: String?

    /// The socket path used when neither --socket nor --url is given.
    var defaultSocket: String {
        if access(HTTPSettings.defaultControlSocket, F_OK) == 0 { return HTTPSettings.defaultControlSocket }
        let simulated = (dataDir ?? TokenFinder.defaultDataDir) + "/control.sock"
        return access(simulated, F_OK) == 0 ? simulated : HTTPSettings.defaultControlSocket
    }

    var overHTTP: Bool { url != nil && socket == nil }

    func validate() throws {
        if url != nil && socket != nil { throw ValidationError("--url and --socket: give one of them") }
    }

    /// The client, or exit 69 (the daemon's address is unusable).
    func client() throws -> DaemonClient {
        if let url, socket == nil {
            do {
                return try DaemonClient(url: url)
            } catch {
                printError("oht50d: \(error)")
                throw ExitStatus.hardwareMissing
            }
        }
        var trusted: Set<UInt32> = [0, getuid()]
        if let service = PeerCredentials.uid(of: "oht50") { trusted.insert(service) }
        return DaemonClient(socketPath: socket ?? defaultSocket, trustedServerUIDs: trusted)
    }
}

func printError(_ text: String) {
    Console.error(text)
}
