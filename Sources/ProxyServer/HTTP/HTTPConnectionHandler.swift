import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection: reads each request whole (up to the body limit), has ``ProxyResponder``
/// answer it in a task that prefers the connection's event loop (``EventLoopTaskExecutor``), and
/// writes the answer back.
///
/// Behind NIO's server pipeline handler, which hands over one request at a time and closes the
/// connection gracefully on shutdown (after the response in progress). State is touched on the
/// event loop only.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case reading(HTTPRequestHead, ByteBuffer?)
        case responding
    }

    /// How long a connection being closed keeps reading what the client still sends.
    static let lingering = TimeAmount.seconds(2)

    private let responder: ProxyResponder
    private let maxBodySize: Int
    private var state = State.idle
    private var executor: EventLoopTaskExecutor?

    init(responder: ProxyResponder, maxBodySize: Int) {
        self.responder = responder
        self.maxBodySize = maxBodySize
    }

    func handlerAdded(context: ChannelHandlerContext) {
        executor = EventLoopTaskExecutor(context.eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            if declared > maxBodySize {
                // Refused before a byte of it is read; the rest is never read either.
                state = .responding
                respond(to: head, body: nil, context: context)
            } else {
                state = .reading(head, nil)
                // curl before 8.1 asks before sending a body over 1 KiB, and waits a second if
                // nobody answers.
                if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
            }
        case (.body(var part), .reading(let head, var body)):
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodySize {
                state = .responding
                respond(to: head, body: nil, context: context)
            } else if body == nil {
                state = .reading(head, part)
            } else {
                state = .responding  // drop the state's reference so the append does not copy
                body!.writeBuffer(&part)
                state = .reading(head, body)
            }
        case (.end, .reading(let head, let body)):
            state = .responding
            respond(to: head, body: body ?? ByteBuffer(), context: context)
        default:
            break
        }
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        let uri = head.uri
        let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        let request = IncomingRequest(method: head.method, path: path, headers: head.headers, body: body)
        let keepAlive = head.isKeepAlive && body != nil
        let isHead = head.method == .HEAD
        let version = head.version
        let responder = self.responder
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        Task(executorPreference: executor) {
            let response = await responder.respond(to: request)
            let write: @Sendable () -> Void = {
                let (handler, context) = bound.value
                handler.write(response, version: version, keepAlive: keepAlive, isHead: isHead, context: context)
            }
            if loop.inEventLoop { write() } else { loop.execute(write) }
        }
    }

    private func write(
        _ response: OutgoingResponse, version: HTTPVersion, keepAlive: Bool, isHead: Bool, context: ChannelHandlerContext
    ) {
        state = .idle
        var head = HTTPResponseHead(version: version, status: response.status, headers: response.headers)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        if !keepAlive { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !isHead && response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            // Close our side only once the answer is out, and keep reading (and dropping) what
            // the client still sends: closing with unread bytes makes the kernel send a reset,
            // and the client may lose the answer (a 413 before the body was sent whole).
            // Whatever the client does, the connection is closed after `lingering`.
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.close(mode: .output, promise: nil)
                context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingering) { context.close(promise: nil) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request that is not HTTP has had its 400 (NIO's protocol error handler); a reset
        // connection has nobody to answer. Either way the connection is done.
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Idle keep-alive connections close, and so do requests whose body stopped arriving;
        // one waiting for its answer stays open.
        if event is IdleStateHandler.IdleStateEvent {
            switch state {
            case .idle, .reading: context.close(promise: nil)
            case .responding: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
