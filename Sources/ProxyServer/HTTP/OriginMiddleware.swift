import Hummingbird

/// Refuses a browser request from an origin other than the listen host and
/// `server.allowed_origins` (DNS rebinding protection) with 403, on the request head; the
/// connection ends after it.
struct OriginMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext
    /// The rules of the config being served now.
    let access: @Sendable () -> AccessRules

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard access().origins.allows(request.headers[.origin]) else {
            return .jsonRPC(.forbidden, JSONRPCError(.invalidRequest, "Forbidden: Origin not allowed"), headers: [.connection: "close"])
        }
        return try await next(request, context)
    }
}
