import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// `<data-dir>/api-token` for `--simulate` without `OHT50_API_TOKEN`: a random token written once with
/// mode 0600 and reused on later starts, so a technician's scripts keep working.
public enum APITokenFile {
    public static func loadOrCreate(at path: String) throws -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8)
            .trimmed, existing.count >= 32
        {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return existing
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(printf: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw SystemCallError(call: "create", subject: path, errno: errno)
        }
        return token
    }
}
