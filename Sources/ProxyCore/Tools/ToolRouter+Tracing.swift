import Tracing

extension ToolRouter {
    /// Starts the span of `call` (`tools/call <tool>`, a child of the client's context when it
    /// sent one) and notes its trace id in the call's audit record.
    static func startSpan(_ call: inout RunningCall, tracing: CallTracing, parent trace: IncomingTrace) -> any Span {
        var parent = ServiceContext.topLevel
        if trace.traceparent != nil {
            tracing.tracer.extract(trace, into: &parent, using: IncomingTrace.Reader())
        }
        // A name the client made up is not put in the span's name (which backends index).
        let name = ToolName(rawValue: call.record.tool).map { "tools/call " + $0.rawValue } ?? "tools/call"
        let span = tracing.tracer.startSpan(name, context: parent, ofKind: .server)
        span.attributes["mcp.method.name"] = "tools/call"
        span.attributes["gen_ai.tool.name"] = call.record.tool
        span.attributes["keycloak_mcp.agent"] = call.record.agent
        span.attributes["keycloak_mcp.request_id"] = call.record.requestID
        call.span = span
        call.record.traceID = tracing.traceID(span.context)
        return span
    }

    /// Runs `operation` with the call's request id (and trace id, and span context, when it is
    /// traced) bound, so that every log line written meanwhile, in any module, names them, and
    /// the admin requests it sends are children of its span.
    static func identified<T>(
        _ record: AuditRecord, within context: ServiceContext? = nil, _ operation: () async throws(ToolCallRejection) -> T
    ) async throws(ToolCallRejection) -> T {
        func run() async -> Result<T, ToolCallRejection> {
            await RequestID.$current.withValue(record.requestID) { () async -> Result<T, ToolCallRejection> in
                do throws(ToolCallRejection) {
                    return .success(try await operation())
                } catch {
                    return .failure(error)
                }
            }
        }
        guard let context else { return try await run().get() }
        return try await ServiceContext.withValue(context) { () async -> Result<T, ToolCallRejection> in
            await RequestID.$traceID.withValue(record.traceID) { await run() }
        }.get()
    }

    /// Sets what the call's span says once the call ended: tenant, realm, outcome and, for a
    /// failure, its error code and an error status. Never a token, a secret or a user.
    static func describe(_ span: any Span, _ record: AuditRecord) {
        if let tenant = record.tenant { span.attributes["keycloak.tenant"] = tenant }
        if let realm = record.realm { span.attributes["keycloak.realm"] = realm }
        span.attributes["keycloak_mcp.outcome"] = record.outcome.text.description
        if let code = record.errorCode ?? (record.outcome == .denied ? ToolErrorCode.policyDenied.rawValue : nil) {
            span.attributes["error.type"] = code
            span.setStatus(SpanStatus(code: .error, message: code))
        }
    }
}
