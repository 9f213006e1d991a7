import Hummingbird
import ProxyCore

/// Routes the proxy's HTTP paths: `/mcp`, `/healthz` and `/readyz`; anything else is 404.
struct ProxyResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let endpoint: MCPEndpoint
    let registry: TenantRegistry

    func respond(to request: Hummingbird.Request, context: BasicRequestContext) async throws -> Hummingbird.Response {
        switch request.uri.path {
        case "/mcp":
            return await endpoint.respond(to: request)
        case "/healthz" where request.method == .get || request.method == .head:
            return MCPEndpoint.json(.ok, #"{"status":"ok"}"#)
        case "/readyz" where request.method == .get || request.method == .head:
            let config = registry.current.config
            let body: JSONValue = ["status": "ready", "tenants": .int(config.tenants.count)]
            return MCPEndpoint.json(.ok, body.jsonText)
        case "/healthz", "/readyz":
            var response = MCPEndpoint.json(.methodNotAllowed, #"{"error":"method not allowed"}"#)
            response.headers[.allow] = "GET"
            return response
        default:
            return MCPEndpoint.json(.notFound, #"{"error":"not found; MCP is served at /mcp"}"#)
        }
    }
}
