public import Logging
import Hummingbird
import HummingbirdCore
import NIOCore
public import ProxyCore
public import ServiceLifecycle

/// The HTTP listener: `/mcp`, `/healthz`, `/readyz` and `/metrics` on one address, served by a
/// Hummingbird application. A `Service`: it serves until graceful shutdown (it stops accepting,
/// closes idle connections and finishes the requests in flight) or cancellation.
///
/// - Connections beyond `server.max_connections` wait in the listen backlog (Hummingbird's
///   `MaximumAvailableConnections`); running out of file descriptors backs off the accept loop
///   (SwiftNIO's `AcceptBackoffHandler`) instead of spinning.
/// - A connection that completes no request head within `server.idle_timeout`, or no body
///   within the same time after its head, is closed; so is one idle that long between requests.
/// - Answers are written with backpressure: a client that does not read them stops being read.
public final class HTTPService: Service, Sendable {
    /// The address asked for; with port 0 the bound port is ``port`` once listening.
    public let listen: ListenAddress
    private let routes: ProxyRoutes
    private let settings: HTTPSettings
    private let logger: Logger
    private let signal = ListeningSignal()

    /// Serves `endpoint` at `/mcp`, `/healthz`, `/readyz` from `registry`'s config (and
    /// `reloader`'s status), and `/metrics` from `metrics` when given.
    public init(
        listen: ListenAddress, endpoint: MCPEndpoint, registry: TenantRegistry, reloader: ConfigReloader? = nil,
        metrics: PrometheusMetrics? = nil, logger: Logger
    ) {
        self.listen = listen
        self.routes = ProxyRoutes(endpoint: endpoint, registry: registry, reloader: reloader, metrics: metrics)
        self.settings = endpoint.settings
        self.logger = logger
    }

    /// Suspends until the listener is bound and returns its port (useful with port 0).
    public func waitUntilListening() async throws -> Int {
        try await signal.wait()
    }

    /// The bound port, once listening.
    public var port: Int? { signal.port }

    /// Serves until graceful shutdown (in-flight requests finish) or cancellation.
    public func run() async throws {
        let idleTimeout = TimeAmount(settings.idleTimeout)
        let connections = FileDescriptorLimit.connectionCap(requested: settings.maxConnections, upstream: settings.upstreamConnections)
        if connections < settings.maxConnections {
            logger.warning(
                "server.max_connections lowered to what the open file limit leaves room for; raise the limit (LimitNOFILE, ulimit -n) to serve more",
                metadata: ["max_connections": "\(settings.maxConnections)", "serving": "\(connections)"])
        }
        let signal = self.signal
        let listen = self.listen
        let logger = self.logger
        let application = Application(
            router: routes.router(),
            server: HTTPServerBuilder { responder in
                ProxyHTTP1Channel(responder: responder, idleTimeout: idleTimeout, maxHeadSize: HTTPSettings.maxHeadSize)
            },
            configuration: ApplicationConfiguration(
                address: .hostname(listen.host, port: listen.port),
                serverName: nil,
                backlog: 256,
                reuseAddress: true,
                availableConnectionsDelegate: MaximumAvailableConnections(connections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.info("listening", metadata: ["address": "\(ListenAddress(host: listen.host, port: port))", "path": "/mcp"])
                signal.listening(port: port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            signal.fail(error)
            throw error
        }
        signal.fail(CancellationError())
    }
}
