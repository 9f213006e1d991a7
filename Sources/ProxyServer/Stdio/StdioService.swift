public import Logging
import MCP
public import ProxyCore
public import ServiceLifecycle

/// Serves one MCP session on standard input and output until the client closes its end or
/// graceful shutdown; then answers the calls in flight and returns. Nothing but the protocol
/// goes to standard output: logs go to standard error.
public struct StdioService: Service {
    let tools: ToolServer
    let caller: Caller
    let logger: Logger
    /// How long calls in flight may take to finish once input has ended.
    let drainTimeout: Duration

    /// A session for `caller`; at end of input, calls in flight get `drainTimeout` to finish.
    public init(tools: ToolServer, caller: Caller, logger: Logger, drainTimeout: Duration = .seconds(30)) {
        self.tools = tools
        self.caller = caller
        self.logger = logger
        self.drainTimeout = drainTimeout
    }

    /// Serves until end of input or graceful shutdown.
    public func run() async throws {
        let transport = DrainingTransport(StdioTransport(logger: logger), logger: logger)
        let server = await tools.makeServer(for: caller)
        try await server.start(transport: transport)
        logger.info("serving MCP on stdio", metadata: ["agent": "\(caller.name)"])
        await withGracefulShutdownHandler {
            await server.waitUntilCompleted()
        } onGracefulShutdown: {
            Task { await transport.disconnect() }
        }
        await transport.drain(timeout: drainTimeout)
        await server.stop()
        logger.info("stdio session ended")
    }
}
