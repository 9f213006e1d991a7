public import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
public import ProxyCore
public import ServiceLifecycle
import Synchronization

/// The HTTP listener: `/mcp`, `/healthz`, `/readyz` and `/metrics` on one address. A `Service`: it
/// serves until graceful shutdown (it stops accepting, closes idle connections and finishes the
/// requests in flight) or cancellation.
///
/// HTTP/1.1 on SwiftNIO's own pipeline: each request is read whole on its connection's event
/// loop (``HTTPConnectionHandler``) and answered in one task; keep-alive connections idle for
/// ``HTTPSettings/idleTimeout`` are closed.
public final class HTTPService: Service, Sendable {
    /// The address asked for; with port 0 the bound port is ``port`` once listening.
    public let listen: ListenAddress
    private let responder: ProxyResponder
    private let maxBodySize: Int
    private let idleTimeout: TimeAmount
    private let responseTimeout: TimeAmount
    private let logger: Logger
    private let signal = ListeningSignal()
    /// The connections' tasks (one per connection that has had a request), for tests.
    let connectionTasks = ConnectionWorker.Count()

    /// Serves `endpoint` at `/mcp`, `/healthz`, `/readyz` from `registry`'s config (and
    /// `reloader`'s status), and `/metrics` from `metrics` when given.
    public init(
        listen: ListenAddress, endpoint: MCPEndpoint, registry: TenantRegistry, reloader: ConfigReloader? = nil,
        metrics: PrometheusMetrics? = nil, logger: Logger
    ) {
        self.listen = listen
        self.responder = ProxyResponder(endpoint: endpoint, registry: registry, reloader: reloader, metrics: metrics)
        self.maxBodySize = endpoint.settings.maxBodySize
        self.idleTimeout = TimeAmount(endpoint.settings.idleTimeout)
        self.responseTimeout = TimeAmount(endpoint.settings.responseTimeout)
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
        let group = MultiThreadedEventLoopGroup.singleton
        let quiesce = ServerQuiescingHelper(group: group)
        let responder = self.responder
        let maxBodySize = self.maxBodySize
        let idleTimeout = self.idleTimeout
        let responseTimeout = self.responseTimeout
        let tasks = connectionTasks
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // No HTTP decoder or encoder: the connection handler parses each request,
                        // writes each whole response as bytes, does its own pipelining and
                        // answers a malformed request with 400 (none of which costs per request).
                        try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try pipeline.addHandler(HTTPConnectionHandler(responder: responder, maxBodySize: maxBodySize, responseTimeout: responseTimeout, tasks: tasks))
                    }
                }
                .bind(host: listen.host, port: listen.port)
                .get()
        } catch {
            signal.fail(error)
            throw error
        }
        let port = server.localAddress?.port ?? listen.port
        logger.info("listening", metadata: ["address": "\(ListenAddress(host: listen.host, port: port))", "path": "/mcp"])
        signal.listening(port: port)

        // Graceful shutdown: stop accepting, let each connection finish its request, wait for
        // all to close. Cancellation: the same, without waiting.
        let (finished, finish) = AsyncStream<Never>.makeStream()
        let stopping = Mutex(false)
        let stop = { @Sendable in
            guard stopping.withLock({ stopped in defer { stopped = true }; return !stopped }) else { return }
            let closed = group.next().makePromise(of: Void.self)
            closed.futureResult.whenComplete { _ in finish.finish() }
            quiesce.initiateShutdown(promise: closed)
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await _ in finished {}
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
            finish.finish()
        }
        signal.fail(CancellationError())
    }
}
