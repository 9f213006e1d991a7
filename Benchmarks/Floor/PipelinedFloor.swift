// FLOOR_STACK=pipelined: bytes (BytesFloor.swift), but the calls of one event loop share one
// keep-alive connection to the upstream with HTTP/1.1 pipelining, and that connection is
// flushed once per turn of the loop. The calls read in one turn go out in one write and their
// answers mostly come back in one read: what batching the upstream side could save, not
// something the proxy does (a pipelined request behind a slow one waits for it).
import NIOCore
import NIOPosix

/// One pipelined connection to the upstream per event loop, touched only on that loop.
final class PipelinedUpstream {
    let eventLoop: any EventLoop
    let target: UpstreamTarget
    let request: ByteBuffer
    var connection: PipelinedConnection?
    var connecting = false
    /// Calls waiting for the connection to open.
    var waiting: [(Bool) -> Void] = []

    init(eventLoop: any EventLoop, target: UpstreamTarget) {
        self.eventLoop = eventLoop
        self.target = target
        request = ByteBuffer(
            string: "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nAuthorization: Bearer bench-access-token\r\nContent-Length: 0\r\n\r\n")
    }

    func send(_ done: @escaping (Bool) -> Void) {
        if let connection { return connection.send(request, done) }
        waiting.append(done)
        guard !connecting else { return }
        connecting = true
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PipelinedConnection(upstream: self))
                }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { result in
                self.connecting = false
                let waiting = self.waiting
                self.waiting = []
                switch result {
                case .success(let channel) where channel.isActive:
                    let connection = try! channel.pipeline.syncOperations.handler(type: PipelinedConnection.self)
                    self.connection = connection
                    for done in waiting { connection.send(self.request, done) }
                default:
                    // Failed, or closed at once: the next call connects again.
                    for done in waiting { done(false) }
                }
            }
    }
}

final class PipelinedConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let upstream: PipelinedUpstream
    var context: ChannelHandlerContext?
    /// The calls whose requests are written and not answered, oldest first.
    var pending = CircularBuffer<(Bool) -> Void>()
    var received: ByteBuffer?
    var flushScheduled = false

    init(upstream: PipelinedUpstream) { self.upstream = upstream }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func send(_ request: ByteBuffer, _ done: @escaping (Bool) -> Void) {
        guard let context else { return done(false) }
        pending.append(done)
        context.write(wrapOutboundOut(request), promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        // After the rest of this turn's reads: one write for all their requests.
        context.eventLoop.execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var earlier = received {
            received = nil  // else the append copies it
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        // Every whole answer in the buffer, in order.
        while let (end, length) = buffer.withUnsafeReadableBytes(scanHead), buffer.readableBytes >= end + length {
            let ok = buffer.getInteger(at: buffer.readerIndex + 9, as: UInt8.self) == UInt8(ascii: "2")
            buffer.moveReaderIndex(forwardBy: end + length)
            pending.popFirst()?(ok)
        }
        received = buffer.readableBytes > 0 ? buffer : nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        if upstream.connection === self { upstream.connection = nil }
        while let done = pending.popFirst() { done(false) }
    }
}

/// Serves until the process ends.
func runPipelinedFloor(port: Int, upstream: String, answer: ByteBuffer) throws -> Never {
    try serveFloor(
        port: port, upstream: upstream,
        makePool: { PipelinedUpstream(eventLoop: $0, target: $1) },
        addHandlers: { pipeline, upstream in try pipeline.addHandler(BytesFloorHandler(send: upstream.send, answer: answer)) })
}
