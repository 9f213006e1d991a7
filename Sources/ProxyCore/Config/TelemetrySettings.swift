/// The `telemetry` section (DESIGN.md section 9): where the spans of tool calls go. Absent, no
/// span is made at all. Read at start: a reload that changes it is kept for the next start.
public struct TelemetrySettings: Sendable, Hashable {
    /// The collector's OTLP/HTTP base URL, without a trailing slash; spans go to
    /// `{otlpEndpoint}/v1/traces` as protobuf.
    public var otlpEndpoint: String
    /// `service.name` of every span.
    public var serviceName: String
    /// The share of traces kept when no sampled parent decided (0 to 1); a client's sampled
    /// `traceparent` is always followed.
    public var sampleRatio: Double
    /// A PEM trust root for an `https` collector, resolved against the config's directory.
    public var caFile: String?

    public init(otlpEndpoint: String, serviceName: String = "keycloak-mcp-proxy", sampleRatio: Double = 1.0, caFile: String? = nil) {
        self.otlpEndpoint = otlpEndpoint
        self.serviceName = serviceName
        self.sampleRatio = sampleRatio
        self.caFile = caFile
    }

    /// Where the exporter posts spans.
    public var tracesURL: String { otlpEndpoint + "/v1/traces" }
}
