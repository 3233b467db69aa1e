import FoundationEssentials
import Hummingbird
import Logging
import OHT50Core
import OHT50Runtime

/// `POST /api/v1/motion/move` (Bearer) and `POST /api/v1/motion/stop` (no token: stopping must never
/// be refused). A move goes through the command ring to the safety thread; a stop is the stop signal
/// both RT threads read, never queued behind moves, and always answered 200.
struct MotionController: Sendable {
    let loop: SafetyLoopView
    let channel: CommandChannel
    let token: BearerToken?
    let logger: Logger

    func register(on router: Router<APIRequestContext>) {
        router.post("/api/v1/motion/move") { request, context in try await self.move(request, context: context) }
        router.post("/api/v1/motion/stop") { request, context in try await self.stop(request, context: context) }
    }

    /// A JSON value as far as field validation needs it.
    enum JSONField: Decodable, CustomStringConvertible {
        case bool(Bool), int(Int), double(Double), string(String), other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Bool.self) {
                self = .bool(v)
            } else if let v = try? c.decode(Int.self) {
                self = .int(v)
            } else if let v = try? c.decode(Double.self) {
                self = .double(v)
            } else if let v = try? c.decode(String.self) {
                self = .string(v)
            } else {
                self = .other
            }
        }

        var description: String {
            switch self {
            case .bool(let v): "\(v)"
            case .int(let v): "\(v)"
            case .double(let v): "\(v)"
            case .string(let v): "\"\(v)\""
            case .other: "a list, object or null"
            }
        }
    }

    /// `{"speed": 0–100, "direction": "forward" | "reverse"}`, validated field by field.
    static func parseMove(_ body: ByteBuffer) throws -> MotionRequest {
        let object: [String: JSONField]
        do {
            object = try JSONDecoder().decode([String: JSONField].self, from: Data(buffer: body))
        } catch DecodingError.typeMismatch {
            throw APIError(
                .badRequest, code: "bad_request",
                message: "the body must be a JSON object {\"speed\": 0–100, \"direction\": \"forward\"|\"reverse\"}")
        } catch {
            throw APIError(
                .badRequest, code: "malformed_json",
                message: "the body is not valid JSON; expected {\"speed\": 0–100, \"direction\": \"forward\"|\"reverse\"}")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "speed" && $0 != "direction" }) {
            throw APIError(.badRequest, code: "unknown_field", message: "field \"\(unknown)\" is not known; allowed: speed, direction")
        }
        guard let speedField = object["speed"] else {
            throw APIError(.badRequest, code: "missing_field", message: "field \"speed\" is missing: an integer 0–100 (% of full speed)")
        }
        guard case .int(let speed) = speedField, (0...100).contains(speed) else {
            throw APIError(
                .badRequest, code: "invalid_field",
                message: "field \"speed\" = \(speedField): must be an integer 0–100 (% of full speed)")
        }
        guard let directionField = object["direction"] else {
            throw APIError(.badRequest, code: "missing_field", message: "field \"direction\" is missing: \"forward\" or \"reverse\"")
        }
        guard case .string(let name) = directionField, let direction = MotionDirection(name: name) else {
            throw APIError(
                .badRequest, code: "invalid_field", message: "field \"direction\" = \(directionField): must be \"forward\" or \"reverse\"")
        }
        return MotionRequest(speedPercent: UInt8(speed), direction: direction)
    }

    private func move(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        try Authorization.require(token, request: request, logger: logger, context: context)
        let motion = try Self.parseMove(body)
        let reply = try await channel.send(.move(motion), context: context)
        guard reply.accepted else {
            throw APIError.refused("motion_inhibited", "motion inhibited", reply.refusal, resetReleaseNs: loop.timings.resetReleaseNs)
        }
        return try JSONResponse.make(MotionReport(loop.snapshot))
    }

    private func stop(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try await request.body.collect(upTo: context.maxUploadSize)
        let seen = await channel.stop()
        if !seen { logger.warning("stop requested while the safety thread is not cycling; the bus thread stops the drives") }
        return try JSONResponse.make(MotionReport(loop.snapshot))
    }
}

/// The answer to move and stop: where the vehicle is now.
struct MotionReport: Encodable, Sendable {
    var state: String
    var motionPermitted: Bool
    var drive: Drive?
    var leaseRemainingMs: UInt64?

    struct Drive: Encodable, Sendable {
        var speed: UInt8
        var direction: String
    }

    enum CodingKeys: CodingKey {
        case state, drive, motionPermitted, leaseRemainingMs
    }

    init(_ snapshot: SafetySnapshot) {
        let machine = snapshot.machine
        state = machine.state.name
        motionPermitted = machine.state.permitsMotion
        drive = snapshot.outputs.drive.map { Drive(speed: $0.speedPercent, direction: $0.direction.name) }
        leaseRemainingMs =
            machine.state == .moving && machine.leaseDeadline > snapshot.at
            ? (machine.leaseDeadline - snapshot.at) / 1_000_000 : nil
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(motionPermitted, forKey: .motionPermitted)
        try c.encode(drive, forKey: .drive)
        try c.encode(leaseRemainingMs, forKey: .leaseRemainingMs)
    }
}
