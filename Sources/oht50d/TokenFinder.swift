import OHT50Core

/// Where `oht50d reset --url` finds the API token, in order: `OHT50_API_TOKEN`, `--token-file`,
/// `<data-dir>/api-token` (the simulated vehicle's), `/opt/oht50/.env` (the vehicle's). A file is read
/// for what it is meant to hold, never for "a line that looks like a token": the shared `.env` gives only
/// its `OHT50_API_TOKEN=` line (a line of a PEM key there was once sent as the token); a token file is
/// that line or a file of one line and nothing else. As root the default data directory (`./.oht50`, the
/// current directory's) is not a candidate: whoever owns the directory root stands in must not choose
/// what root sends.
struct TokenFinder {
    struct Found: Equatable {
        var token: String
        /// "OHT50_API_TOKEN" or the file's path, for messages.
        var source: String
    }

    var environment: [String: String]
    var tokenFile: String?
    /// `--data-dir` as given, nil when it was not.
    var dataDir: String?
    var isRoot: Bool
    /// The file's text, nil when it cannot be read.
    var read: (String) -> String?

    static let defaultDataDir = "./.oht50"
    static let vehicleEnvironmentFile = "/opt/oht50/.env"

    func find() -> Found? {
        if let token = environment["OHT50_API_TOKEN"], !token.isEmpty { return Found(token: token, source: "OHT50_API_TOKEN") }
        if let tokenFile, let text = read(tokenFile), let token = Self.tokenFile(text) { return Found(token: token, source: tokenFile) }
        if let dir = dataDir ?? (isRoot ? nil : Self.defaultDataDir), let text = read(dir + "/api-token"),
            let token = Self.tokenFile(text)
        {
            return Found(token: token, source: dir + "/api-token")
        }
        if let text = read(Self.vehicleEnvironmentFile), let token = Self.environmentFile(text) {
            return Found(token: token, source: Self.vehicleEnvironmentFile)
        }
        return nil
    }

    /// The value of the last `OHT50_API_TOKEN=` line (`export ` before it allowed, one pair of quotes
    /// around the value removed), as systemd's EnvironmentFile= reads it; nil without one.
    static func environmentFile(_ text: String) -> String? {
        var found: String?
        for line in text.split(whereSeparator: \.isNewline) {
            var assignment = line.trimmed
            if assignment.hasPrefix("export ") { assignment = assignment.dropFirst("export ".count).trimmed }
            guard assignment.hasPrefix("OHT50_API_TOKEN=") else { continue }
            let value = unquoted(assignment.dropFirst("OHT50_API_TOKEN=".count).trimmed)
            found = value.isEmpty ? nil : value
        }
        return found
    }

    /// An `OHT50_API_TOKEN=` line, else the whole file when it is a single word on a single line.
    static func tokenFile(_ text: String) -> String? {
        if let token = environmentFile(text) { return token }
        let lines = text.split(whereSeparator: \.isNewline).map(\.trimmed).filter { !$0.isEmpty }
        guard lines.count == 1, let word = lines.first, !word.contains(where: { $0 == "=" || $0 == " " || $0 == "\t" }) else {
            return nil
        }
        return word
    }

    private static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}
