import Hummingbird

/// Decides who the request comes from by its `Authorization` header, on the request head: no
/// body byte is read for a caller that is refused. A missing or refused token gets 401 with
/// `WWW-Authenticate: Bearer` (with `server.oauth`: where the resource metadata is, the scopes,
/// and `error="invalid_token"` for a refused token); a valid access token no agent claims gets
/// 403. Neither names an agent, and the connection ends after it.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext
    /// The rules of the config being served now.
    let access: @Sendable () -> AccessRules

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let rules = access()
        switch await rules.authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .caller(let caller):
            var context = context
            context.caller = caller
            return try await next(request, context)
        case .unauthorized(let invalidToken):
            let challenge = rules.resource?.unauthorizedChallenge(invalidToken: invalidToken) ?? "Bearer"
            return .jsonRPC(
                .unauthorized, JSONRPCError(.invalidRequest, "Unauthorized: send Authorization: Bearer <token>"),
                headers: [.wwwAuthenticate: challenge, .connection: "close"])
        case .unmapped:
            return .jsonRPC(
                .forbidden, JSONRPCError(.invalidRequest, "Forbidden: the access token is valid, but no agent of this proxy is configured for it"),
                headers: [.connection: "close"])
        }
    }
}
