/// One row of the event log as `/api/v1/events` returns it.
public struct StoredEvent: Sendable, Codable, Equatable {
    public var id: Int64
    public var time: String
    public var monotonicNs: Int64
    public var kind: String
    public var from: String?
    public var to: String?
    public var causes: [String]
    public var reasons: [String]
    public var source: String?
    public var detail: String?
}
