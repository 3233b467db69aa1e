import Testing

@testable import OHT50API

@Suite("Bearer token")
struct BearerTokenTests {
    @Test(
        "accepts exactly the token after 'Bearer '",
        arguments: [
            ("Bearer s3cret-token", true), ("Bearer s3cret-toke", false), ("Bearer s3cret-token2", false),
            ("bearer s3cret-token", false), ("s3cret-token", false), ("Bearer ", false), ("", false),
            ("Basic s3cret-token", false), ("Bearer S3cret-token", false),
        ])
    func accepts(header: String, expected: Bool) throws {
        let token = try #require(BearerToken("s3cret-token"))
        #expect(token.accepts(authorization: header) == expected)
    }

    @Test("no header is refused, and an unset or empty token configures nothing")
    func missing() throws {
        let token = try #require(BearerToken("t"))
        #expect(token.accepts(authorization: nil) == false)
        #expect(BearerToken(nil) == nil)
        #expect(BearerToken("") == nil)
    }
}

@Suite("Request id")
struct RequestIDTests {
    @Test(
        "a printable incoming id is kept; anything else is replaced",
        arguments: [
            ("tech-42", true), ("", false), ("has space", false), (String(repeating: "a", count: 129), false), ("ü", false),
        ])
    func validation(incoming: String, kept: Bool) {
        #expect((RequestIDMiddleware.validIncoming(incoming) != nil) == kept)
    }

    @Test("generated ids are 32 hex characters and differ")
    func generated() {
        let a = RequestIDMiddleware.generate()
        #expect(a.count == 32)
        #expect(a.allSatisfy { $0.isHexDigit })
        #expect(a != RequestIDMiddleware.generate())
    }
}

@Suite("Reset rate limiter")
struct ResetRateLimiterTests {
    @Test("one attempt per interval; the wait reported is what is left")
    func limits() {
        let limiter = ResetRateLimiter(intervalMs: 1_000)
        let t0 = ContinuousClock.now
        #expect(limiter.admit(now: t0) == nil)
        #expect(limiter.admit(now: t0.advanced(by: .milliseconds(400))) == .milliseconds(600))
        #expect(limiter.admit(now: t0.advanced(by: .milliseconds(1_000))) == nil)
    }
}
