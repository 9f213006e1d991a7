import Hummingbird
import NIOCore
import ProxyCore

/// Routes the proxy's HTTP paths: `/mcp`, `/healthz`, `/readyz` and `/metrics`; anything else
/// is 404.
struct ProxyResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let endpoint: MCPEndpoint
    let registry: TenantRegistry
    let reloader: ConfigReloader?
    let metrics: PrometheusMetrics?

    func respond(to request: Hummingbird.Request, context: BasicRequestContext) async throws -> Hummingbird.Response {
        switch request.uri.path {
        case "/mcp":
            return await endpoint.respond(to: request)
        case "/healthz" where request.method == .get || request.method == .head:
            return MCPEndpoint.json(.ok, #"{"status":"ok"}"#)
        case "/readyz" where request.method == .get || request.method == .head:
            // Ready while a config is served; a failed reload keeps the old one serving, and says so.
            let config = registry.current.config
            var body: [String: JSONValue] = ["status": "ready", "tenants": .int(config.tenants.count)]
            if let status = reloader?.status {
                body["reloads_succeeded"] = .int(status.succeeded)
                body["reloads_failed"] = .int(status.failed)
                body["last_reload"] = status.lastSucceeded.map { $0 ? "ok" : "failed" } ?? "none"
            }
            return MCPEndpoint.json(.ok, JSONValue.object(body).jsonText)
        case "/metrics" where (request.method == .get || request.method == .head) && metrics != nil:
            var response = Hummingbird.Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: metrics!.render())))
            response.headers[.contentType] = PrometheusMetrics.contentType
            return response
        case "/healthz", "/readyz", "/metrics":
            var response = MCPEndpoint.json(.methodNotAllowed, #"{"error":"method not allowed"}"#)
            response.headers[.allow] = "GET"
            return response
        default:
            return MCPEndpoint.json(.notFound, #"{"error":"not found; MCP is served at /mcp"}"#)
        }
    }
}
