public import Tracing

/// How tool calls are traced (DESIGN.md section 9): the tracer that makes their spans and
/// propagates their context, and how to read a context's trace id for log lines and audit
/// records. Without one, a call makes no span at all.
public struct CallTracing: Sendable {
    /// Makes the spans of tool calls, token fetches and admin requests.
    public let tracer: any Tracer
    /// The trace id (32 hex digits) of a span's context, if it has one.
    public let traceID: @Sendable (ServiceContext) -> String?

    /// Tracing with `tracer`, whose contexts' trace ids `traceID` reads.
    public init(tracer: any Tracer, traceID: @escaping @Sendable (ServiceContext) -> String?) {
        self.tracer = tracer
        self.traceID = traceID
    }
}
