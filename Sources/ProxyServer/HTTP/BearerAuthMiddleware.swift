import Hummingbird

/// Decides who the request comes from by its `Authorization` header, on the request head: no
/// body byte is read for a caller that is refused. A missing or unknown token gets 401 with
/// `WWW-Authenticate: Bearer`, naming no agent, and the connection ends after it.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext
    /// The rules of the config being served now.
    let access: @Sendable () -> AccessRules

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = access().authenticator.caller(authorization: request.headers[.authorization]) else {
            return .jsonRPC(
                .unauthorized, JSONRPCError(.invalidRequest, "Unauthorized: send Authorization: Bearer <token>"),
                headers: [.wwwAuthenticate: "Bearer", .connection: "close"])
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}
