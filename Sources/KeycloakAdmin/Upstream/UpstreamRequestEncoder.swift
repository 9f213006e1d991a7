import NIOCore
import NIOHTTP1

/// Writes a tenant request's head as HTTP/1.1 bytes in one buffer, and its body as it is.
///
/// In place of NIO's `HTTPRequestEncoder`, which frames bodies for any caller: it copies the
/// head to remove a `Transfer-Encoding` header the proxy never sets, and grows its buffer as it
/// writes. Every request here comes from ``UpstreamClient``, which sets `Content-Length`
/// whenever a request has a body (or is a `POST` or `PUT`), so there is nothing to frame.
/// The response decoder after it in the pipeline still sees each head, as it must (it needs the
/// method to know whether a response has a body).
final class UpstreamRequestEncoder: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            var size = head.method.rawValue.utf8.count + head.uri.utf8.count + 13
            for (name, value) in head.headers { size += name.utf8.count + value.utf8.count + 4 }
            var out = context.channel.allocator.buffer(capacity: size + 2)
            out.writeString(head.method.rawValue)
            out.writeStaticString(" ")
            out.writeString(head.uri)
            out.writeStaticString(" HTTP/1.1\r\n")
            for (name, value) in head.headers {
                out.writeString(name)
                out.writeStaticString(": ")
                out.writeString(value)
                out.writeStaticString("\r\n")
            }
            out.writeStaticString("\r\n")
            context.write(wrapOutboundOut(.byteBuffer(out)), promise: promise)
        case .body(let body):
            context.write(wrapOutboundOut(body), promise: promise)
        case .end:
            // Framed by Content-Length: nothing to send (trailers are never sent).
            promise?.succeed()
        }
    }
}
