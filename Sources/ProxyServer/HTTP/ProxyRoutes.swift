import Hummingbird
import ProxyCore

/// The proxy's HTTP paths: `/mcp` behind its middleware, and `/healthz`, `/readyz` and
/// `/metrics`, which need no token. Anything else is 404, a known path with another method 405.
struct ProxyRoutes {
    let endpoint: MCPEndpoint
    let registry: TenantRegistry
    let reloader: ConfigReloader?
    let metrics: PrometheusMetrics?

    static let probePaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func router() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: NotFoundMiddleware())
        let mcp = router.group("mcp")
            .add(middleware: OriginMiddleware(access: endpoint.access))
            .add(middleware: BearerAuthMiddleware(access: endpoint.access))
            .add(middleware: MCPHeadMiddleware(maxBodySize: endpoint.settings.maxBodySize))
        let endpoint = self.endpoint
        mcp.post { request, context in try await endpoint.respond(to: request, context: context) }
        // Every other method is refused by MCPHeadMiddleware, after origin and token.
        for method in [HTTPRequest.Method.get, .delete, .put, .patch, .head, .options] {
            mcp.on("", method: method) { _, _ -> Response in Response(status: .methodNotAllowed) }
        }
        // RFC 9728 metadata, at the well-known path and under the path of server.public_url.
        let access = endpoint.access
        for method in [HTTPRequest.Method.get, .head] {
            router.on(".well-known/oauth-protected-resource", method: method) { _, _ in Self.metadata(access(), suffix: "") }
            router.on(".well-known/oauth-protected-resource/**", method: method) { request, _ in
                Self.metadata(access(), suffix: String(request.uri.path.dropFirst("/.well-known/oauth-protected-resource".count)))
            }
        }
        for method in [HTTPRequest.Method.get, .head] {
            router.on("healthz", method: method) { _, _ in Response.json(.ok, ["status": "ok"]) }
            router.on("readyz", method: method) { _, _ in readiness() }
            if let metrics {
                router.on("metrics", method: method) { _, _ in
                    Response(
                        status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
                        body: ResponseBody(byteBuffer: .init(string: metrics.render())))
                }
            }
        }
        return router
    }

    /// The protected resource metadata when `server.oauth` is set and `suffix` is empty or the
    /// path of `server.public_url`; 404 otherwise.
    private static func metadata(_ rules: AccessRules, suffix: String) -> Response {
        guard let resource = rules.resource, suffix.isEmpty || suffix == resource.path else { return Response(status: .notFound) }
        return .json(.ok, resource.metadata)
    }

    /// Ready while a config is served; a failed reload keeps the old one serving, and says so.
    private func readiness() -> Response {
        let config = registry.current.config
        var body: [String: JSONValue] = ["status": "ready", "tenants": .int(config.tenants.count)]
        if let status = reloader?.status {
            body["reloads_succeeded"] = .int(status.succeeded)
            body["reloads_failed"] = .int(status.failed)
            body["last_reload"] = status.lastSucceeded.map { $0 ? "ok" : "failed" } ?? "none"
        }
        return .json(.ok, .object(body))
    }
}
