import HTTPWire
import NIOCore
import NIOHTTP1

extension OutgoingResponse {
    /// The whole response as HTTP/1.1 bytes: status line, `Content-Type` (when there is one),
    /// `Content-Length` (the body's, also for `HEAD`), the other headers, `Connection: close`
    /// unless `keepAlive` (`Connection: keep-alive` when it is, to HTTP/1.0, which closes by
    /// default), the blank line and (unless `isHead`) the body, in one buffer.
    ///
    /// The listener writes it as one buffer instead of head, body and end through NIO's response
    /// encoder: every header is the proxy's own, so there is nothing to frame or check, and one
    /// write saves the encoder's copies of the head.
    func wire(version: HTTPVersion, keepAlive: Bool, isHead: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = body.count
        let bodyBytes = isHead ? 0 : length
        var out = allocator.buffer(capacity: 128 + (contentType?.utf8.count ?? 0) + ByteBuffer.headerFieldsSize(headers) + bodyBytes)
        Self.writeStatusLine(status, version: version, to: &out)
        if let contentType {
            out.writeStaticString("Content-Type: ")
            out.writeString(contentType)
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("Content-Length: ")
        out.writeString(String(length))
        out.writeStaticString("\r\n")
        out.writeHeaderFields(headers)
        if !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        } else if version.major == 1 && version.minor == 0 {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
        if bodyBytes > 0 {
            switch body {
            case .buffer(var buffer): out.writeBuffer(&buffer)
            case .bytes(let bytes): out.writeBytes(bytes)
            }
        }
        return out
    }

    /// `HTTP/1.1 100 Continue` and the blank line.
    static func continueWire(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 32)
        writeStatusLine(.continue, version: version, to: &out)
        out.writeStaticString("\r\n")
        return out
    }

    /// What the listener answers to bytes that are not an HTTP request, before it closes: the
    /// status and, as text, the reason (the parser's own words, never the client's bytes).
    static func refusalWire(_ status: HTTPResponseStatus, reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        OutgoingResponse(status, contentType: "text/plain; charset=utf-8", body: .bytes(Array((reason + "\n").utf8)))
            .wire(version: .http1_1, keepAlive: false, isHead: false, allocator: allocator)
    }

    private static func writeStatusLine(_ status: HTTPResponseStatus, version: HTTPVersion, to out: inout ByteBuffer) {
        if version == .http1_1 {
            out.writeStaticString("HTTP/1.1 ")
        } else {
            out.writeStaticString("HTTP/")
            out.writeString(String(version.major))
            out.writeStaticString(".")
            out.writeString(String(version.minor))
            out.writeStaticString(" ")
        }
        out.writeString(String(status.code))
        out.writeStaticString(" ")
        out.writeString(status.reasonPhrase)
        out.writeStaticString("\r\n")
    }
}
