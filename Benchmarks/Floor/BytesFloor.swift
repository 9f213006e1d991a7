// FLOOR_STACK=bytes: the least any SwiftNIO relay can do for a call. Channel handlers on raw
// ByteBuffers on both sides, no HTTP codec and no strings: a request is whole once its head's
// blank line and its Content-Length bytes are in (the only field read, by a byte scan); the
// upstream request and the answer are each one buffer made once at start. It checks nothing a
// real server must (no validation, no chunked bodies), so no parser can cost less.
import NIOCore
import NIOPosix

/// Where a head ends and how long its body is, by the least scanning that can tell: the offset
/// just past the blank line and the Content-Length value (0 without one); nil while incomplete.
func scanHead(_ bytes: UnsafeRawBufferPointer) -> (end: Int, length: Int)? {
    guard bytes.count >= 4 else { return nil }
    var index = 0
    var length = 0
    var lineStart = 0
    while index + 1 < bytes.count {
        guard bytes[index] == 0x0D, bytes[index + 1] == 0x0A else {
            index += 1
            continue
        }
        if index == lineStart { return (index + 2, length) }
        // "content-length:" is 15 bytes; compare lower-cased.
        if index - lineStart > 15, bytes[lineStart] | 0x20 == UInt8(ascii: "c"), bytes[lineStart + 8] | 0x20 == UInt8(ascii: "l"),
            bytes[lineStart + 14] == UInt8(ascii: ":")
        {
            var value = 0
            for position in (lineStart + 15)..<index where bytes[position] >= 0x30 && bytes[position] <= 0x39 {
                value = value * 10 + Int(bytes[position] - 0x30)
            }
            length = value
        }
        index += 2
        lineStart = index
    }
    return nil
}

/// `read` after what came before it (`received`): the whole message once its head and body are
/// in (and `received` empty again), else nil with everything kept in `received`.
func wholeMessage(_ read: ByteBuffer, after received: inout ByteBuffer?) -> ByteBuffer? {
    var buffer = read
    if var earlier = received {
        earlier.writeBuffer(&buffer)
        buffer = earlier
    }
    guard let (end, length) = buffer.withUnsafeReadableBytes(scanHead), buffer.readableBytes >= end + length else {
        received = buffer
        return nil
    }
    received = nil
    return buffer
}

/// Keep-alive connections to the upstream, one pool per event loop, touched only on that loop.
final class BytesUpstreamPool {
    let eventLoop: any EventLoop
    let host: String
    let port: Int
    let request: ByteBuffer
    var idle: [BytesUpstreamConnection] = []

    init(eventLoop: any EventLoop, host: String, port: Int, path: String) {
        self.eventLoop = eventLoop
        self.host = host
        self.port = port
        request = ByteBuffer(
            string: "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAuthorization: Bearer bench-access-token\r\nContent-Length: 0\r\n\r\n")
    }

    func send(_ done: @escaping (Bool) -> Void) {
        if let connection = idle.popLast() {
            connection.send(request, done)
            return
        }
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BytesUpstreamConnection(pool: self))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    let connection = try! channel.pipeline.syncOperations.handler(type: BytesUpstreamConnection.self)
                    connection.send(self.request, done)
                case .failure:
                    done(false)
                }
            }
    }
}

final class BytesUpstreamConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let pool: BytesUpstreamPool
    var context: ChannelHandlerContext?
    var pending: ((Bool) -> Void)?
    var received: ByteBuffer?

    init(pool: BytesUpstreamPool) { self.pool = pool }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func send(_ request: ByteBuffer, _ done: @escaping (Bool) -> Void) {
        guard let context else { return done(false) }
        pending = done
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let buffer = wholeMessage(unwrapInboundIn(data), after: &received) else { return }
        // "HTTP/1.1 2xx"
        let ok = buffer.getInteger(at: buffer.readerIndex + 9, as: UInt8.self) == UInt8(ascii: "2")
        let done = pending
        pending = nil
        pool.idle.append(self)
        done?(ok)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool.idle.removeAll { $0 === self }
        pending?(false)
        pending = nil
    }
}

/// One client connection: each whole request sends the upstream request through `send`
/// (this loop's pool), whose callback says whether the upstream answered 2xx.
final class BytesFloorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let send: (@escaping (Bool) -> Void) -> Void
    let answer: ByteBuffer
    let failure = ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
    var received: ByteBuffer?

    init(send: @escaping (@escaping (Bool) -> Void) -> Void, answer: ByteBuffer) {
        self.send = send
        var whole = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.readableBytes)\r\n\r\n")
        var body = answer
        whole.writeBuffer(&body)
        self.answer = whole
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // One request at a time per connection (wrk does not pipeline).
        guard wholeMessage(unwrapInboundIn(data), after: &received) != nil else { return }
        if skipUpstream { return context.writeAndFlush(wrapOutboundOut(answer), promise: nil) }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        send { ok in
            bound.value.writeAndFlush(self.wrapOutboundOut(ok ? self.answer : self.failure), promise: nil)
        }
    }
}

/// Serves until the process ends.
func runBytesFloor(port: Int, upstream: String, answer: ByteBuffer) throws -> Never {
    try serveFloor(
        port: port, upstream: upstream,
        makePool: { BytesUpstreamPool(eventLoop: $0, host: $1.host, port: $1.port, path: $1.path) },
        addHandlers: { pipeline, pool in try pipeline.addHandler(BytesFloorHandler(send: pool.send, answer: answer)) })
}
