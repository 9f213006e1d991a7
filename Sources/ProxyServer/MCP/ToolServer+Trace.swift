import ProxyCore

extension ToolServer {
    /// The client's trace context for a `tools/call`: `traceparent` (and `tracestate`) in
    /// `params._meta`, as MCP 2026-07-28 puts it (accepted from earlier revisions too), else the
    /// HTTP headers. Only strings count; the tracer checks their form.
    static func incomingTrace(_ params: JSONValue?, headers: MCPRequestHeaders?) -> IncomingTrace {
        if case .object(let meta)? = params?["_meta"], case .string(let parent)? = meta["traceparent"] {
            var state: String?
            if case .string(let found)? = meta["tracestate"] { state = found }
            return IncomingTrace(traceparent: parent, tracestate: state)
        }
        return headers?.trace ?? .none
    }
}
