import Hummingbird
public import Logging
import NIOCore
public import ProxyCore
public import ServiceLifecycle

/// The HTTP listener: `/mcp`, `/healthz` and `/readyz` on one address. A `Service`: it serves
/// until graceful shutdown (it stops accepting and finishes the requests in flight) or
/// cancellation.
public final class HTTPService: Service, Sendable {
    /// The address asked for; with port 0 the bound port is ``port`` once listening.
    public let listen: ListenAddress
    private let responder: ProxyResponder
    private let logger: Logger
    private let signal = ListeningSignal()

    /// Serves `endpoint` at `/mcp`, `/healthz`, `/readyz` from `registry`'s config (and
    /// `reloader`'s status), and `/metrics` from `metrics` when given.
    public init(
        listen: ListenAddress, endpoint: MCPEndpoint, registry: TenantRegistry, reloader: ConfigReloader? = nil,
        metrics: PrometheusMetrics? = nil, logger: Logger
    ) {
        self.listen = listen
        self.responder = ProxyResponder(endpoint: endpoint, registry: registry, reloader: reloader, metrics: metrics)
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
        let signal = self.signal
        let logger = self.logger
        let listen = self.listen
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
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
