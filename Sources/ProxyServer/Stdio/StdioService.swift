import Foundation
public import Logging
import MCP
import NIOCore
import NIOExtras
import NIOFoundationCompat
import NIOPosix
public import ProxyCore
public import ServiceLifecycle
import Synchronization

/// Serves MCP on standard input and output, one JSON-RPC message a line, until the client
/// closes its end or graceful shutdown; then finishes the calls in flight, within
/// `drainTimeout`, and returns. Nothing but the protocol goes to standard output: logs go to
/// standard error.
///
/// The lines are framed by NIO (a pipe channel, NIO Extras' `LineBasedFrameDecoder`), whose
/// buffer is bounded: a line longer than `maxMessageBytes` is answered with a JSON-RPC error and
/// ends the session, so a client that never sends a newline cannot grow the process. Standard
/// input or output that is a regular file (`< requests.jsonl`), which NIO's event loop cannot
/// watch, is read and written through the MCP Swift SDK's `StdioTransport` instead; a file's
/// lines are as long as the file that the operator chose.
/// ``ToolServer`` answers each message as it does over HTTP, in either era. Requests run
/// concurrently; `notifications/cancelled` cancels one.
public struct StdioService: Service {
    let tools: ToolServer
    let caller: Caller
    let logger: Logger
    /// How long calls in flight may take to finish once input has ended.
    let drainTimeout: Duration
    /// The longest line read, newline excluded (`server.max_body_bytes`, as for HTTP bodies).
    let maxMessageBytes: Int

    /// A session for `caller`; at end of input, calls in flight get `drainTimeout` to finish.
    public init(
        tools: ToolServer, caller: Caller, logger: Logger, drainTimeout: Duration = .seconds(30),
        maxMessageBytes: Int = ServerConfig.defaultMaxBodyBytes
    ) {
        self.tools = tools
        self.caller = caller
        self.logger = logger
        self.drainTimeout = drainTimeout
        self.maxMessageBytes = maxMessageBytes
    }

    /// Serves until end of input or graceful shutdown.
    public func run() async throws {
        let maxMessageBytes = self.maxMessageBytes
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await pipeChannel()
        } catch {
            logger.debug("standard input or output is not a pipe, socket or terminal", metadata: ["error": "\(error)"])
            try await runOnFiles()
            return
        }
        logger.info("serving MCP on stdio", metadata: ["agent": "\(caller.name)"])
        try await channel.executeThenClose { inbound, outbound in
            let calls = RunningCalls()
            let write = { @Sendable (body: Data, requestID: String?) async in await self.write(body, to: outbound, requestID: requestID) }
            // Graceful shutdown stops the reading, not the calls already read.
            await cancelWhenGracefulShutdown {
                do {
                    for try await line in inbound where line.readableBytes > 0 {
                        // A whole line that came in one read never filled the decoder's buffer.
                        guard line.readableBytes <= maxMessageBytes else { throw ByteToMessageDecoderError.PayloadTooLargeError() }
                        self.handle(Data(buffer: line), write: write, calls: calls)
                    }
                } catch is ByteToMessageDecoderError.PayloadTooLargeError {
                    self.logger.error("a line on standard input is longer than the limit; the session ends", metadata: ["limit": "\(maxMessageBytes)"])
                    let error = JSONRPCError(.invalidRequest, "a message is at most \(maxMessageBytes) bytes (server.max_body_bytes); the session ends")
                    await write(error.encoded, nil)
                } catch {
                    self.logger.error("cannot read standard input", metadata: ["error": "\(error)"])
                }
            }
            await finish(calls)
        }
        logger.info("stdio session ended")
    }

    /// Standard input and output as a NIO pipe channel of lines.
    private func pipeChannel() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let maxMessageBytes = self.maxMessageBytes
        return try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // End of input closes the reading side only: answers still in flight are written.
            .channelOption(.allowRemoteHalfClosure, value: true)
            // Copies of the descriptors, which the channel closes when it ends.
            .takingOwnershipOfDescriptors(input: dup(STDIN_FILENO), output: dup(STDOUT_FILENO)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The buffer holds at most one line and what follows it in one read.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: maxMessageBytes))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// The same session through the SDK's transport, for descriptors NIO cannot watch.
    private func runOnFiles() async throws {
        let transport = StdioTransport(logger: logger)
        try await transport.connect()
        logger.info("serving MCP on stdio", metadata: ["agent": "\(caller.name)"])
        let calls = RunningCalls()
        let write = { @Sendable (body: Data, requestID: String?) async in
            do {
                try await transport.send(body)
            } catch {
                self.logger.error("cannot write an answer to standard output", metadata: ["error": "\(error)", "request_id": "\(requestID ?? "-")"])
            }
        }
        await cancelWhenGracefulShutdown {
            do {
                for try await line in await transport.receive() {
                    self.handle(line, write: write, calls: calls)
                }
            } catch {
                self.logger.error("cannot read standard input", metadata: ["error": "\(error)"])
            }
        }
        await finish(calls)
        await transport.disconnect()
        logger.info("stdio session ended")
    }

    /// Waits for the calls in flight, at most `drainTimeout`.
    private func finish(_ calls: RunningCalls) async {
        if await !calls.finish(within: drainTimeout) {
            logger.warning("calls still running when the drain timeout passed were cancelled", metadata: ["timeout": "\(drainTimeout)"])
        }
    }

    private func handle(_ line: Data, write: @escaping @Sendable (Data, String?) async -> Void, calls: RunningCalls) {
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
                await write(body, requestID)
            }
        }
    }

    /// Writes `body` as one line: answers of concurrent calls never interleave.
    private func write(_ body: Data, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, requestID: String?) async {
        var line = ByteBuffer(bytes: body)
        line.writeInteger(UInt8(ascii: "\n"))
        do {
            try await outbound.write(line)
        } catch {
            logger.error("cannot write an answer to standard output", metadata: ["error": "\(error)", "request_id": "\(requestID ?? "-")"])
        }
    }
}
