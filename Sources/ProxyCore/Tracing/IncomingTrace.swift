public import Instrumentation

/// The W3C trace context a client sent with a call: `traceparent` and `tracestate`, from the
/// request's `params._meta` or its HTTP headers. The tracer checks them: a malformed
/// `traceparent` starts a new trace.
public struct IncomingTrace: Sendable, Hashable {
    public var traceparent: String?
    public var tracestate: String?

    public init(traceparent: String? = nil, tracestate: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// No context: the call starts a trace.
    public static let none = IncomingTrace()

    /// Reads the two keys for a tracer's `extract`.
    public struct Reader: Extractor {
        public init() {}

        public func extract(key: String, from carrier: IncomingTrace) -> String? {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent
            case "tracestate": carrier.tracestate
            default: nil
            }
        }
    }
}
