/// The API token. Compared in constant time; never logged, never put in an event.
public struct BearerToken: Sendable {
    private let expected: [UInt8]
    /// Plain HTTP without `http.allow_plain_token`: the token is refused from any peer but this machine.
    public var refusedInClearFromNetwork = false

    /// `nil` or empty: no token is configured and every authenticated request is refused.
    public init?(_ token: String?) {
        guard let token, !token.isEmpty else { return nil }
        expected = Array(token.utf8)
    }

    /// Checks an `Authorization` header value.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let given = Array(authorization.utf8.dropFirst("Bearer ".utf8.count))
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
