import KeycloakAdmin
public import Logging
public import ProxyCore
public import ServiceLifecycle
import UnixSignals

/// What one loaded config serves: its tenants (``TenantRegistry``), the ``ToolRouter`` with its
/// audit log, and the transports' services built on them.
///
/// ```swift
/// let runtime = try ProxyRuntime(config: loaded.config, logger: logger)
/// let http = runtime.httpService()
/// try await runtime.serviceGroup([http], signals: true).run()
/// ```
public final class ProxyRuntime: Sendable {
    /// The config being served now (a reload replaces it).
    public var config: ProxyConfig { registry.current.config }
    /// The tenants' runtimes; a `Service` that closes their pools on graceful shutdown.
    public let registry: TenantRegistry
    /// What `/metrics` shows: the registry's, the router's and the reloader's metrics.
    public let prometheus: PrometheusMetrics
    /// Reloads the config file on SIGHUP and when it changes; nil when not serving from a file.
    public let reloader: ConfigReloader?
    /// Policy, routing and audit for every call.
    public let router: ToolRouter
    /// Makes the MCP servers of both transports.
    public let tools: ToolServer
    /// Validates agents' access tokens (`server.oauth`); runs in ``serviceGroup(_:finishing:signals:maximumGracefulShutdown:)``.
    public let verifier: AccessTokenVerifier
    private let audit: AuditLog?
    private let telemetry: Telemetry?
    private let logger: Logger

    /// Builds every tenant's client (nothing is sent to any Keycloak yet). Audit records go to
    /// `audit` (nil: none); ``openAuditLog(_:metrics:logger:)`` opens the config's destination.
    /// Its writer runs in ``serviceGroup(_:finishing:signals:maximumGracefulShutdown:)``; the
    /// runtime closes it in ``close()``. With `reloadFrom`, the file `config` was loaded from is
    /// watched and reloaded with the same loader (so `${NAME}` reads the same environment).
    /// `/metrics` shows `prometheus`. With `telemetry` (made from the config's `telemetry`
    /// section by ``Telemetry/make(_:metrics:logger:batching:)``), each call is traced and its
    /// exporter runs in the service group.
    public init(
        config: ProxyConfig, logger: Logger, audit: AuditLog?, reloadFrom source: (path: String, loader: ConfigLoader)? = nil,
        prometheus: PrometheusMetrics = PrometheusMetrics(), telemetry: Telemetry? = nil
    ) throws(ServeError) {
        let registry: TenantRegistry
        do {
            registry = try TenantRegistry(config: config, logger: logger, metrics: prometheus.metrics, tracer: telemetry?.tracing.tracer)
        } catch {
            throw ServeError(error.message)
        }
        self.prometheus = prometheus
        self.registry = registry
        self.reloader = source.map { ConfigReloader(path: $0.path, loader: $0.loader, registry: registry, logger: logger) }
        self.audit = audit
        self.telemetry = telemetry
        self.logger = logger
        // The state key is read at start: a reload does not change it.
        self.router = ToolRouter(
            registry: registry, audit: audit, logger: logger, confirmations: ConfirmationKeeper(key: config.server.stateKey),
            tracing: telemetry?.tracing)
        self.tools = ToolServer(router: router, logger: logger)
        self.verifier = AccessTokenVerifier(metrics: prometheus.metrics, logger: logger)
        verifier.configure(config.server.oauth, audience: config.server.publicURL)
    }

    /// Opens `server.audit_log` of `config`; records lost are counted in `metrics`.
    public static func openAuditLog(_ config: ProxyConfig, metrics: PrometheusMetrics, logger: Logger) throws(ServeError) -> AuditLog {
        do {
            return try AuditLog(config.server.auditLog, metrics: metrics.metrics, logger: logger)
        } catch {
            throw ServeError(error.reason)
        }
    }

    /// The caller for stdio: the agent of `config` named by `--agent`, or anonymous.
    public static func caller(agent name: String?, in config: ProxyConfig) throws(ServeError) -> Caller {
        guard let name else { return .anonymous }
        guard let agent = config.agents?.first(where: { $0.name == name }) else {
            let known = config.agents.map { $0.map(\.name).sorted().joined(separator: ", ") } ?? ""
            throw ServeError(
                config.agents == nil
                    ? "--agent \(name): the config has no agents section"
                    : "--agent \(name): no such agent in the config; agents: \(known)")
        }
        return Caller(agent: agent)
    }

    /// The HTTP listener on `listen` (default: `server.listen`), with the config's agents and
    /// allowed origins, and its limits (default: the `server` section's, read at start).
    public func httpService(listen: ListenAddress? = nil, settings: HTTPSettings? = nil) -> HTTPService {
        let address = listen ?? config.server.listen
        let settings = settings ?? HTTPSettings(config)
        if config.agents == nil && !address.isLoopback {
            logger.warning(
                "no agents section and a listen address that is not loopback: every /mcp call is refused with 401",
                metadata: ["address": "\(address)"])
        }
        // Agents and origins come from the config being served when each request arrives, so a
        // reload that adds an agent or rotates a token applies to the next request.
        let verifier = self.verifier
        let rules = AccessRulesCache(registry: registry) { config in
            // A reload may add, change or drop issuers.
            verifier.configure(config.server.oauth, audience: config.server.publicURL)
            let resource = ProtectedResource(config)
            return AccessRules(
                authenticator: BearerAuthenticator(
                    agents: config.agents, listenIsLoopback: address.isLoopback, resource: resource, verifier: verifier),
                origins: OriginPolicy(listen: address, allowedOrigins: config.server.allowedOrigins),
                resource: resource
            )
        }
        let endpoint = MCPEndpoint(tools: tools, access: { rules.current }, settings: settings, logger: logger)
        return HTTPService(listen: address, endpoint: endpoint, registry: registry, reloader: reloader, metrics: prometheus, logger: logger)
    }

    /// One MCP session on standard input and output for `caller`.
    public func stdioService(caller: Caller) -> StdioService {
        StdioService(tools: tools, caller: caller, logger: logger, maxMessageBytes: registry.current.config.server.maxBodyBytes)
    }

    /// A group that runs the registry and `services`. Graceful shutdown stops them in reverse
    /// order: `services` last to first, so listeners stop before the tenant pools close; after
    /// `maximumGracefulShutdown` the rest is cancelled. A service listed in `finishing` ends the
    /// group gracefully when it returns (stdio at end of input).
    public func serviceGroup(
        _ services: [any Service],
        finishing: [any Service] = [],
        signals: Bool,
        maximumGracefulShutdown: Duration = .seconds(10)
    ) -> ServiceGroup {
        // Stopped in reverse: listeners first, then the reloader, the tenant pools last. SIGHUP is
        // the reloader's own, never a shutdown signal.
        var entries: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // Stopped last: the spans of the last calls are flushed.
        if let telemetry { entries.append(.init(service: telemetry.service, serviceName: "trace-exporter")) }
        entries.append(.init(service: registry, serviceName: "tenant-registry"))
        // Stopped after the listeners: the records of the last calls are written.
        if let audit { entries.append(.init(service: audit, serviceName: "audit-log")) }
        if let reloader { entries.append(.init(service: reloader, serviceName: "config-reloader")) }
        // Tokens come over HTTP only: stdio has no use for the issuers' keys.
        if services.contains(where: { $0 is HTTPService }) {
            entries.append(.init(service: verifier, serviceName: "access-token-verifier"))
        }
        entries += services.map { .init(service: $0) }
        entries += finishing.map {
            .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        var configuration = ServiceGroupConfiguration(
            services: entries,
            gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        return ServiceGroup(configuration: configuration)
    }

    /// Closes the audit log file, if the runtime opened one.
    public func close() {
        audit?.close()
    }
}
