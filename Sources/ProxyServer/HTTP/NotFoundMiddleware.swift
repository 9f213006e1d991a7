import Hummingbird
import ProxyCore

/// What the router matches no route for: 405 with `Allow: GET` on a probe path, else 404 with
/// a hint where MCP is served, both as JSON.
struct NotFoundMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if ProxyRoutes.probePaths.contains(request.uri.path) {
                return .json(.methodNotAllowed, ["error": "method not allowed"], headers: [.allow: "GET"])
            }
            return .json(.notFound, ["error": "not found; MCP is served at /mcp"])
        }
    }
}
