import HTTPTypes
import Testing

@testable import OHT50API

@Suite("Response budget: unauthenticated lists are bounded in bytes as well as rows")
struct ResponseBudgetTests {
    @Test("rows are taken while their JSON fits; at least one, so a page always moves on")
    func fitting() {
        let rows = [String](repeating: String(repeating: "x", count: 98), count: 10)  // 100 bytes of JSON each, 101 with a comma
        #expect(ResponseBudget.fitting(rows, maxBytes: 1_000) == 9)
        #expect(ResponseBudget.fitting(rows, maxBytes: 10_000) == 10)
        #expect(ResponseBudget.fitting([String(repeating: "y", count: 5_000)], maxBytes: 1_000) == 1)
        #expect(ResponseBudget.fitting([String](), maxBytes: 1_000) == 0)
        #expect(ResponseBudget.maxBytes == 1_048_576)
    }

    @Test("a metric's method label is a standard method or \"other\", never a client's own token")
    func methodLabel() {
        #expect(RequestIDMiddleware.methodLabel(.get) == "GET" && RequestIDMiddleware.methodLabel(.post) == "POST")
        #expect(RequestIDMiddleware.methodLabel(HTTPRequest.Method("BREW")!) == "other")
    }
}
