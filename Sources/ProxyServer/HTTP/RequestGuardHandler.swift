import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Two limits on what a client sends, in the connection's pipeline after Hummingbird's HTTP
/// decoding (which keeps the head's own deadline: a connection that completes no head within
/// the idle timeout is closed, however slowly its bytes drip in):
///
/// - a request's body must arrive whole within `deadline` of its head, or the connection is
///   closed (a body that drips a byte at a time would otherwise hold it for ever);
/// - a head larger than the decoder's limit is answered with 431 and the connection closed,
///   rather than a bare 400.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: deadline) {
                loopBound.value.close(promise: nil)
            }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError, case .headerOverflow = error else {
            return context.fireErrorCaught(error)
        }
        let body = ByteBuffer(string: "Request Header Fields Too Large\n")
        let head = HTTPResponse(
            status: .requestHeaderFieldsTooLarge,
            headerFields: [.contentType: "text/plain; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
