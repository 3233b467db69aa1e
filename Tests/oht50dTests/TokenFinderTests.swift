import Testing

@testable import OHT50dCLI

/// Issue 40, item 5: what `oht50d reset --url` reads as the token, and from where.
@Suite("the CLI's token finder")
struct TokenFinderTests {
    static let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"

    func finder(
        _ files: [String: String], environment: [String: String] = [:], tokenFile: String? = nil, dataDir: String? = nil, root: Bool = true
    )
        -> TokenFinder.Found?
    {
        TokenFinder(environment: environment, tokenFile: tokenFile, dataDir: dataDir, isRoot: root, read: { files[$0] }).find()
    }

    @Test("the shared .env gives only its OHT50_API_TOKEN= line: a PEM key or another variable there is never sent")
    func environmentFileOnlyItsLine() {
        let env = "/opt/oht50/.env"
        #expect(finder([env: "DB_HOST=db\n" + Self.pem + "OHT50_API_TOKEN=\"s3cret\"\n"]) == .init(token: "s3cret", source: env))
        #expect(finder([env: "export OHT50_API_TOKEN='s3cret'\n"]) == .init(token: "s3cret", source: env))
        #expect(finder([env: Self.pem + "DB_PASSWORD=hunter2\n"]) == nil)
        #expect(finder([env: "OHT50_API_TOKEN=\n"]) == nil)
        #expect(finder([env: "#OHT50_API_TOKEN=old\nOHT50_API_TOKEN_OLD=x\n"]) == nil)
    }

    @Test("a token file is its OHT50_API_TOKEN= line or one word alone; anything else is no token")
    func tokenFile() {
        #expect(finder(["/t": "abc123\n"], tokenFile: "/t") == .init(token: "abc123", source: "/t"))
        #expect(finder(["/t": "X=1\nOHT50_API_TOKEN=abc\n"], tokenFile: "/t") == .init(token: "abc", source: "/t"))
        #expect(finder(["/t": Self.pem], tokenFile: "/t") == nil)
        #expect(finder(["/t": "two words\n"], tokenFile: "/t") == nil)
    }

    @Test("the environment first; as root the current directory's ./.oht50 is no candidate unless --data-dir names it")
    func order() {
        let files = ["./.oht50/api-token": "cwd-token\n", "/opt/oht50/.env": "OHT50_API_TOKEN=vehicle\n", "/sim/api-token": "sim\n"]
        #expect(finder(files, environment: ["OHT50_API_TOKEN": "env"])?.source == "OHT50_API_TOKEN")
        #expect(finder(files, root: true) == .init(token: "vehicle", source: "/opt/oht50/.env"))
        #expect(finder(files, root: false) == .init(token: "cwd-token", source: "./.oht50/api-token"))
        #expect(finder(files, dataDir: "./.oht50", root: true)?.token == "cwd-token")
        #expect(finder(files, dataDir: "/sim")?.token == "sim")
    }
}
