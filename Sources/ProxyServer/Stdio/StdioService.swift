import Foundation
public import Logging
import MCP
import NIOCore
import NIOPosix
public import ProxyCore
public import ServiceLifecycle
import Synchronization

/// Serves MCP on standard input and output, one JSON-RPC message a line, until the client
/// closes its end or graceful shutdown; then finishes the calls in flight, within
/// `drainTimeout`, and returns. Nothing but the protocol goes to standard output: logs go to
/// standard error.
///
/// The MCP Swift SDK's `StdioTransport` frames the lines; ``ToolServer`` answers each message
/// as it does over HTTP, in either era (the SDK's server knows no revision after 2025-11-25).
/// Requests run concurrently; `notifications/cancelled` cancels one.
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
        let transport = StdioTransport(logger: logger)
        try await transport.connect()
        let calls = RunningCalls()
        logger.info("serving MCP on stdio", metadata: ["agent": "\(caller.name)"])
        // Graceful shutdown stops the reading, not the calls already read.
        await cancelWhenGracefulShutdown {
            do {
                for try await line in await transport.receive() {
                    self.handle(line, transport: transport, calls: calls)
                }
            } catch {
                self.logger.error("cannot read standard input", metadata: ["error": "\(error)"])
            }
        }
        if await !calls.finish(within: drainTimeout) {
            logger.warning("calls still running when the drain timeout passed were cancelled", metadata: ["timeout": "\(drainTimeout)"])
        }
        await transport.disconnect()
        logger.info("stdio session ended")
    }

    private func handle(_ line: Data, transport: StdioTransport, calls: RunningCalls) {
        let message = JSONRPCMessage(body: line)
        switch message {
        case .notification("notifications/cancelled", let params?):
            if let id = params["requestId"] { calls.cancel(id) }
        case .notification, .response:
            break
        case .invalid, .request:
            let id = message.requestID
            let requestID = RequestID.make()
            calls.start(id) {
                guard let body = await tools.reply(to: message, caller: caller, requestID: requestID).body else { return }
                do {
                    try await transport.send(body)
                } catch {
                    logger.error("cannot write an answer to standard output", metadata: ["error": "\(error)", "request_id": "\(requestID)"])
                }
            }
        }
    }
}
