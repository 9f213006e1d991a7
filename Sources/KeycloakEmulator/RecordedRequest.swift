/// One request as the emulator received it.
public struct RecordedRequest: Sendable, Hashable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request target exactly as sent: path and query, still percent-encoded.
    public var rawTarget: String
    /// Which endpoint it was routed to.
    public var kind: EndpointKind
    /// Its W3C `traceparent` header, if it had one: how Keycloak would join the caller's trace.
    public var traceparent: String?

    public init(method: String, rawTarget: String, kind: EndpointKind, traceparent: String? = nil) {
        self.method = method
        self.rawTarget = rawTarget
        self.kind = kind
        self.traceparent = traceparent
    }
}
