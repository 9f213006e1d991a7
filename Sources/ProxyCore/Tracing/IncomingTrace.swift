public import Instrumentation

/// The W3C trace context a client sent with a call: `traceparent` and `tracestate`, from the
/// request's `params._meta` or its HTTP headers. The tracer checks them: a malformed
/// `traceparent` starts a new trace.
public struct IncomingTrace: Sendable, Hashable {
    /// `00-{trace id}-{parent span id}-{flags}`, as the client sent it.
    public var traceparent: String?
    /// Vendor entries that travel with it, as sent.
    public var tracestate: String?

    /// The context as the client sent it, unchecked.
    public init(traceparent: String? = nil, tracestate: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// No context: the call starts a trace.
    public static let none = IncomingTrace()

    /// Reads the two keys for a tracer's `extract`.
    public struct Reader: Extractor {
        public init() {}

        /// The value of `key` (`traceparent` or `tracestate`, in any case); nil for any other.
        public func extract(key: String, from carrier: IncomingTrace) -> String? {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent
            case "tracestate": carrier.tracestate
            default: nil
            }
        }
    }
}
