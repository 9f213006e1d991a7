import HTTPWire
import NIOCore
import NIOHTTP1

extension UpstreamRequest {
    /// The request as HTTP/1.1 bytes, head and body in one buffer: one write down the pipeline.
    /// `Host` comes first, then the request's own headers and field lines, then `Content-Length` whenever there
    /// is a body (or the method is `POST` or `PUT`, which Keycloak expects framed).
    ///
    /// Nothing is validated here: every header is the client's own (constants, the config's
    /// host, a percent-encoded path and a token checked once when it was fetched, in
    /// ``TokenFetch``).
    func wire(host: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = body?.readableBytes ?? 0
        let lines = fieldLines?.revealed ?? ""
        let size = method.rawValue.utf8.count + path.utf8.count + host.utf8.count + ByteBuffer.headerFieldsSize(headers) + lines.utf8.count + length
        var out = allocator.buffer(capacity: size + 64)
        out.writeString(method.rawValue)
        out.writeStaticString(" ")
        out.writeString(path)
        out.writeStaticString(" HTTP/1.1\r\nHost: ")
        out.writeString(host)
        out.writeStaticString("\r\n")
        out.writeHeaderFields(headers)
        out.writeString(lines)
        if length > 0 || method == .POST || method == .PUT {
            out.writeStaticString("Content-Length: ")
            out.writeString(String(length))
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("\r\n")
        if var body { out.writeBuffer(&body) }
        return out
    }
}
