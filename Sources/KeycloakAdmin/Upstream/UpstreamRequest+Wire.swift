import HTTPWire
import NIOCore
import NIOHTTP1

extension UpstreamRequest {
    /// The request as HTTP/1.1 bytes, head and body in one buffer: one write down the pipeline.
    ///
    /// Nothing is validated or framed here: every request comes from ``UpstreamClient``, which
    /// sets `Host` and, whenever there is a body (or the method is `POST` or `PUT`),
    /// `Content-Length`; every header is the client's own (constants, the config's host, a
    /// percent-encoded path and a token checked once when it was fetched, in ``TokenFetch``).
    func wire(allocator: ByteBufferAllocator) -> ByteBuffer {
        let size = method.rawValue.utf8.count + path.utf8.count + 13 + ByteBuffer.headerFieldsSize(headers) + (body?.readableBytes ?? 0)
        var out = allocator.buffer(capacity: size + 2)
        out.writeString(method.rawValue)
        out.writeStaticString(" ")
        out.writeString(path)
        out.writeStaticString(" HTTP/1.1\r\n")
        out.writeHeaderFields(headers)
        out.writeStaticString("\r\n")
        if var body { out.writeBuffer(&body) }
        return out
    }
}
