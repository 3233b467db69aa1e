import Foundation
import OHT50Client

extension DaemonClient.Answer {
    /// The body as a JSON object through Foundation's JSONSerialization (numbers cast to Int or Double
    /// alike); empty when it is not one. Tests only: the shipped client reads `value` (JSONValue).
    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
}
