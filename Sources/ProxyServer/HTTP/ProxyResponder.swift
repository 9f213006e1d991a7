import NIOCore
import NIOHTTP1
import ProxyCore

/// Routes the proxy's HTTP paths: `/mcp`, `/healthz`, `/readyz` and `/metrics`; anything else
/// is 404.
struct ProxyResponder: Sendable {
    let endpoint: MCPEndpoint
    let registry: TenantRegistry
    let reloader: ConfigReloader?
    let metrics: PrometheusMetrics?

    func respond(to request: IncomingRequest) async -> OutgoingResponse {
        guard request.path == "/mcp" else { return respondBesideMCP(to: request) }
        return await endpoint.respond(to: request)
    }

    /// ``respond(to:)`` without a task where it can (``MCPEndpoint/respondNow(to:completion:)``):
    /// `completion` runs on this event loop with the answer to a request that was
    /// ``Immediate/started``, or with nil: answer it with ``respond(to:)`` after all.
    func respondNow(to request: IncomingRequest, completion: @escaping (OutgoingResponse?) -> Void) -> Immediate<OutgoingResponse> {
        guard request.path == "/mcp" else { return .answered(respondBesideMCP(to: request)) }
        return endpoint.respondNow(to: request, completion: completion)
    }

    /// Every path but `/mcp`, none of which waits for anything.
    private func respondBesideMCP(to request: IncomingRequest) -> OutgoingResponse {
        let isRead = request.method == .GET || request.method == .HEAD
        switch request.path {
        case "/healthz" where isRead:
            return .json(.ok, #"{"status":"ok"}"#)
        case "/readyz" where isRead:
            // Ready while a config is served; a failed reload keeps the old one serving, and says so.
            let config = registry.current.config
            var body: [String: JSONValue] = ["status": "ready", "tenants": .int(config.tenants.count)]
            if let status = reloader?.status {
                body["reloads_succeeded"] = .int(status.succeeded)
                body["reloads_failed"] = .int(status.failed)
                body["last_reload"] = status.lastSucceeded.map { $0 ? "ok" : "failed" } ?? "none"
            }
            return .json(.ok, JSONValue.object(body).jsonText)
        case "/metrics" where isRead && metrics != nil:
            return OutgoingResponse(.ok, contentType: PrometheusMetrics.contentType, body: .buffer(ByteBuffer(string: metrics!.render())))
        case "/healthz", "/readyz", "/metrics":
            var response = OutgoingResponse.json(.methodNotAllowed, #"{"error":"method not allowed"}"#)
            response.headers.add(name: "Allow", value: "GET")
            return response
        default:
            return .json(.notFound, #"{"error":"not found; MCP is served at /mcp"}"#)
        }
    }
}
