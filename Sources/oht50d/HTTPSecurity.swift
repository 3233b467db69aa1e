import FoundationEssentials
import HummingbirdTLS
import Logging
import NIOSSL
import OHT50API
import OHT50Core
import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

/// `http.tls`: the TCP API's TLS, built and checked at start so that a missing file, a key that is not the
/// certificate's or a CA that does not parse stops the start with the key and the file named (exit 78)
/// rather than failing each handshake later.
enum HTTPSecurity {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The files of `http.tls` loaded, the key checked against the certificate, and when the certificate
    /// (the first of the chain) stops being valid.
    struct Checked {
        var configuration: TLSConfiguration
        var notValidAfter: time_t
        var expired: Bool { notValidAfter < time(nil) }
        /// `notValidAfter` as the log and doctor print it (ISO 8601, UTC).
        var expires: String { WallTime.iso8601(Date(timeIntervalSince1970: TimeInterval(notValidAfter))) }
    }

    /// What renews the package's self-signed certificate (run and doctor say it when it runs out).
    static let renewal =
        "renew it (the package's self-signed one: rm /opt/oht50/tls/vehicle.crt && dpkg-reconfigure oht50d && systemctl restart "
        + "oht50-firmware)"

    /// `check`, then the log line a start gives: until when the certificate is valid, or that it expired.
    static func prepare(_ tls: TLSSettings, logger: Logger) throws(Problem) -> Checked {
        let checked = try check(tls)
        if checked.expired {
            logger.error(
                Logger.Message(stringLiteral: "http.tls.cert \(tls.cert) expired on \(checked.expires): clients will refuse it; \(renewal)")
            )
        } else {
            logger.notice(
                Logger.Message(
                    stringLiteral: "HTTPS with \(tls.cert), valid until \(checked.expires)"
                        + (tls.clientCA.map { "; clients need a certificate signed by \($0)" } ?? "")))
        }
        return checked
    }

    static func check(_ tls: TLSSettings) throws(Problem) -> Checked {
        let chain = try load(tls.cert, key: "http.tls.cert", expected: "a PEM certificate") { try NIOSSLCertificate.fromPEMFile($0) }
        guard let leaf = chain.first else { throw Problem(description: "http.tls.cert \(tls.cert): holds no certificate") }
        let key = try load(tls.key, key: "http.tls.key", expected: "a PEM private key, or one with a passphrase") {
            try NIOSSLPrivateKey(file: $0, format: .pem)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCA = tls.clientCA {
            let roots = try load(clientCA, key: "http.tls.client_ca", expected: "a PEM certificate") {
                try NIOSSLCertificate.fromPEMFile($0)
            }
            guard !roots.isEmpty else { throw Problem(description: "http.tls.client_ca \(clientCA): holds no certificate") }
            configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(roots))
        }
        configuration.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Problem(description: "http.tls.key \(tls.key) does not belong to http.tls.cert \(tls.cert) (\(error))")
        }
        return Checked(configuration: configuration, notValidAfter: leaf.notValidAfter)
    }

    /// `parse(path)` once the file opens; each failure names the key, the file and what was expected.
    private static func load<T>(_ path: String, key: String, expected: String, _ parse: (String) throws -> T) throws(Problem) -> T {
        try readable(path, key: key)
        do {
            return try parse(path)
        } catch {
            throw Problem(description: "\(key) \(path): not \(expected) (\(error))")
        }
    }

    /// Readable, and trusted as the config is (`TrustedPath`): a key or CA someone else can replace would
    /// let them be the vehicle, or choose who may command it.
    private static func readable(_ path: String, key: String) throws(Problem) {
        if let problem = TrustedPath.problem(path) { throw Problem(description: "\(key) \(path): not trusted: \(problem)") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "\(key) \(path): cannot be read (\(String(cString: strerror(errno))))") }
        close(fd)
    }
}

extension HTTPSettings {
    /// Only this machine can reach `bind` (a loopback name or address).
    var bindsLoopbackOnly: Bool { HostAllowlist.loopback.contains(bind) || bind.hasPrefix("127.") }

    /// What plain HTTP on a `bind` the network reaches means for the token; nil with TLS or on loopback.
    var plainHTTPExposure: String? {
        guard tls == nil, !bindsLoopbackOnly else { return nil }
        return allowPlainToken
            ? "http.bind \(bind) without http.tls and with http.allow_plain_token: the token travels in clear text"
            : "http.bind \(bind) without http.tls: requests from the network that carry the token are refused (403)"
    }
}
