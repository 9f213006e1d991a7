import Tracing

extension TokenFetch {
    /// ``fetch(basePath:)`` as a span of its own (`admin token fetch`, a child of the call that
    /// needed the token), with the token realm and grant, its error code on failure; never a
    /// credential or the token.
    func traced(by tracer: any Tracer, basePath: String) async throws(KeycloakError) -> TokenCache.Fetched {
        let span = tracer.startSpan("admin token fetch", ofKind: .internal)
        defer { span.end() }
        span.attributes["keycloak.realm"] = settings.auth.realm
        switch settings.auth.grant {
        case .clientCredentials: span.attributes["keycloak_mcp.grant_type"] = "client_credentials"
        case .password: span.attributes["keycloak_mcp.grant_type"] = "password"
        }
        let result = await ServiceContext.withValue(span.context) { () async -> Result<TokenCache.Fetched, KeycloakError> in
            do throws(KeycloakError) {
                return .success(try await fetch(basePath: basePath))
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            span.attributes["error.type"] = error.code.rawValue
            span.setStatus(SpanStatus(code: .error, message: error.code.rawValue))
        }
        return try result.get()
    }
}
