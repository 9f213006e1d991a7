/// One request as the emulator received it.
public struct RecordedRequest: Sendable, Hashable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request target exactly as sent: path and query, still percent-encoded.
    public var rawTarget: String
    /// Which endpoint it was routed to.
    public var kind: EndpointKind

    public init(method: String, rawTarget: String, kind: EndpointKind) {
        self.method = method
        self.rawTarget = rawTarget
        self.kind = kind
    }
}
