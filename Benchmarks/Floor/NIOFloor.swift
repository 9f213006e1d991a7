// The floor on plain SwiftNIO: channel handlers on both sides, each upstream request on a
// keep-alive connection of the inbound connection's own event loop, no Swift tasks per call.
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive connections to the upstream, one pool per event loop, touched only on that loop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    let host: String
    let port: Int
    let path: String
    var idle: [UpstreamConnection] = []

    init(eventLoop: any EventLoop, host: String, port: Int, path: String) {
        self.eventLoop = eventLoop
        self.host = host
        self.port = port
        self.path = path
    }

    func send(_ done: @escaping (HTTPResponseStatus?) -> Void) {
        if let connection = idle.popLast() {
            connection.send(path: path, host: host, done)
            return
        }
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(pool: self))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    let connection = try! channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
                    connection.send(path: self.path, host: self.host, done)
                case .failure:
                    done(nil)
                }
            }
    }
}

final class UpstreamConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let pool: UpstreamPool
    var context: ChannelHandlerContext?
    var pending: ((HTTPResponseStatus?) -> Void)?
    var status: HTTPResponseStatus = .ok

    init(pool: UpstreamPool) { self.pool = pool }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func send(path: String, host: String, _ done: @escaping (HTTPResponseStatus?) -> Void) {
        guard let context else { return done(nil) }
        pending = done
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Authorization", value: "Bearer bench-access-token")
        head.headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body: break
        case .end:
            let done = pending
            pending = nil
            pool.idle.append(self)
            done?(status)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool.idle.removeAll { $0 === self }
        pending?(nil)
        pending = nil
    }
}

final class FloorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let pool: UpstreamPool
    let answer: ByteBuffer
    var isMCP = false
    var keepAlive = true

    init(pool: UpstreamPool, answer: ByteBuffer) {
        self.pool = pool
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            isMCP = head.method == .POST && head.uri == "/mcp"
            keepAlive = head.isKeepAlive
        case .body: break
        case .end:
            guard isMCP else { return respond(context: context, status: .notFound, body: nil) }
            if skipUpstream { return respond(context: context, status: .ok, body: answer) }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            pool.send { status in
                let context = bound.value
                if let status, (200..<300).contains(status.code) {
                    self.respond(context: context, status: .ok, body: self.answer)
                } else {
                    self.respond(context: context, status: .badGateway, body: nil)
                }
            }
        }
    }

    func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, body: ByteBuffer?) {
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !keepAlive { context.close(promise: nil) }
    }
}

/// Serves until the process ends.
func runNIOFloor(port: Int, upstream: String, answer: ByteBuffer) throws -> Never {
    try serveFloor(
        port: port, upstream: upstream,
        makePool: { UpstreamPool(eventLoop: $0, host: $1.host, port: $1.port, path: $1.path) },
        addHandlers: { pipeline, pool in
            try pipeline.configureHTTPServerPipeline()
            try pipeline.addHandler(FloorHandler(pool: pool, answer: answer))
        })
}
