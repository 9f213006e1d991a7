import Logging
import ProxyCore
import ProxyServer
import ServiceLifecycle

var quietLogger: Logger {
    var logger = Logger(label: "proxy-server-test")
    logger.logLevel = .critical
    return logger
}

/// A config for `tenants`, listening on a free loopback port.
func proxyConfig(
    _ tenants: [TenantConfig], agents: [TestAgent]? = TestAgent.all, allowedOrigins: [String] = []
) -> ProxyConfig {
    ProxyConfig(
        server: ServerConfig(listen: ListenAddress(host: "127.0.0.1", port: 0), allowedOrigins: allowedOrigins),
        defaultTenant: tenants.first?.name,
        tenants: tenants,
        agents: agents?.map(\.config)
    )
}

/// Serves `config` over HTTP on loopback in this process (registry and listener in a
/// `ServiceGroup`), runs `body` with the `/mcp` URL, then shuts the group down gracefully,
/// which closes every tenant's connection pool.
func withProxy<T>(
    _ config: ProxyConfig, settings: HTTPSettings? = nil, connections: Int = 8, _ body: (MCPTestClient) async throws -> T
) async throws -> T {
    let runtime = try ProxyRuntime(config: config, logger: quietLogger, audit: nil)
    let http = runtime.httpService(settings: settings)
    let group = runtime.serviceGroup([http], signals: false, maximumGracefulShutdown: .seconds(5))
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
        tasks.addTask { try await group.run() }
        var result: Result<T, any Error>
        do {
            let port = try await http.waitUntilListening()
            let client = MCPTestClient(base: "http://127.0.0.1:\(port)", connections: connections)
            do {
                result = .success(try await body(client))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
