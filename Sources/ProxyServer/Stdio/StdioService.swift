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

/// The stdio requests being answered, by JSON-RPC id, so that one can be cancelled and all
/// waited for at the end.
private final class RunningCalls: Sendable {
    private struct State {
        var tasks: [UInt64: (id: JSONValue?, task: Task<Void, Never>)] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())

    func start(_ id: JSONValue?, _ body: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let key = state.next
            state.next += 1
            state.tasks[key] = (id, Task {
                await body()
                self.state.withLock { _ = $0.tasks.removeValue(forKey: key) }
            })
        }
    }

    /// Cancels the request whose id is `id`.
    func cancel(_ id: JSONValue) {
        for entry in state.withLock({ $0.tasks.values.filter { $0.id == id } }) { entry.task.cancel() }
    }

    /// Waits for every call to end, or `timeout`; then cancels what is left. Whether all ended.
    func finish(within timeout: Duration) async -> Bool {
        let running = state.withLock { $0.tasks.values.map(\.task) }
        guard !running.isEmpty else { return true }
        let first = FirstAnswer<Bool>()
        let all = Task {
            for task in running { await task.value }
            first.give(true)
        }
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) { first.give(false) }
        let finished = await first.value()
        timer.cancel()
        if !finished {
            // Not waited for: a call that ignores cancellation must not hold the process.
            for task in running { task.cancel() }
            all.cancel()
        }
        return finished
    }
}
