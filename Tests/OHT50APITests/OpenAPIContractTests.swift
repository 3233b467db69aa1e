import Foundation
import HTTPTypes
import OHT50Core
import OHT50Runtime
import Testing

@testable import OHT50API
@testable import OHT50IO

@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// openapi.yaml, read by the daemon's own YAML parser (libyaml) as plain values.
    static func spec() throws -> Any {
        let path = repository + "/openapi.yaml"
        return plain(try YAMLConfigDocument.parse(try String(contentsOfFile: path, encoding: .utf8), path: path))
    }

    /// Mappings as `[String: Any]`, lists as `[Any]`, scalars as `String`.
    static func plain(_ node: ConfigNode) -> Any {
        switch node {
        case .scalar(let value, _): value
        case .null: NSNull()
        case .sequence(let items, _): items.map(plain)
        case .mapping(let entries, _): Dictionary(entries.map { ($0.key, plain($0.value)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// path → methods, from openapi.yaml; `/health/` is the router's `/health`.
    static func specRoutes() throws -> [String: Set<String>] {
        let spec = try #require(try Self.spec() as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        var routes: [String: Set<String>] = [:]
        for (path, operations) in paths {
            let normalized = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            routes[normalized, default: []].formUnion(operations.keys.map { $0.uppercased() })
        }
        return routes
    }

    static func router() -> [String: Set<String>] {
        let loop = SafetyLoop(
            timings: SafetyTimings(SafetySettings()), input: SimulatedEStopInput(),
            outputs: SafetyOutputLines(motionEnable: SimulatedOutputLine()))
        let api = SafetyAPI(
            loop: loop.view, bus: nil, token: nil, resetMinIntervalMs: 1_000,
            info: DaemonInfo(
                startedAt: 0, scheduling: SchedulingResult(policy: "SCHED_OTHER", priority: 0, realtime: false), memoryLocked: false),
            logger: .init(label: "test"))
        var routes: [String: Set<String>] = [:]
        for route in api.router().routes {
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            routes["/" + path.joined(separator: "/"), default: []].insert(route.method.rawValue)
        }
        return routes
    }

    @Test("every route the router serves is described in openapi.yaml, and nothing else is")
    func routerMatchesSpec() throws {
        #expect(Self.router() == (try Self.specRoutes()))
    }

    /// `components.schemas.NAME` of openapi.yaml.
    static func schema(_ name: String) throws -> [String: Any] {
        let spec = try #require(try Self.spec() as? [String: Any])
        let schemas = try #require((spec["components"] as? [String: Any])?["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any])
    }

    @Test("every trip cause and every refusal code the daemon can send is in openapi.yaml's enums, and nothing else is")
    func causesAndReasonsMatchSpec() throws {
        let causes = try #require(try Self.schema("Cause")["enum"] as? [String])
        #expect(Set(causes) == Set(TripCauses.named.map(\.name)))
        let code = try #require((try Self.schema("Reason")["properties"] as? [String: Any])?["code"] as? [String: Any])
        let codes = try #require(code["enum"] as? [String])
        #expect(Set(codes) == Set(RefusalText.allCodes))
    }

    @Test("the 405 table is the router's own")
    func methodTableMatchesRouter() {
        let table = SafetyAPI.routes.mapValues { Set($0.map(\.rawValue)) }.filter { $0.key != "/health/" }
        #expect(table == Self.router())
    }

    @Test("paths match the 405 table with parameters and a trailing slash")
    func patternMatching() {
        #expect(MethodNotAllowedMiddleware.methods(for: "/api/v1/modules/3", in: SafetyAPI.routes) == [.get])
        #expect(MethodNotAllowedMiddleware.methods(for: "/health/", in: SafetyAPI.routes) == [.get])
        #expect(MethodNotAllowedMiddleware.methods(for: "/api/v1/nothing", in: SafetyAPI.routes) == nil)
    }
}
