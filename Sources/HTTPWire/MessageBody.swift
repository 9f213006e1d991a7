package import NIOCore

/// Reads a message's body, framed as its head said, out of the bytes that follow the head:
/// its data in order, then the end.
package enum MessageBody {
    /// `Content-Length` bytes (0: none).
    case fixed(remaining: Int)
    case chunked(ChunkedBody)
    /// Everything until the connection closes (answers only): see ``endsAtClose``.
    case untilClose

    /// The next event the bytes at `buffer`'s reader index make, consuming them; nil when it
    /// needs more bytes.
    package mutating func next(_ buffer: inout ByteBuffer) throws(HTTPSyntaxError) -> ChunkedBody.Event? {
        switch self {
        case .fixed(let remaining):
            if remaining == 0 { return .end }
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(remaining, buffer.readableBytes)
            self = .fixed(remaining: remaining - count)
            return .data(buffer.readSlice(length: count)!)
        case .chunked(var body):
            defer { self = .chunked(body) }
            return try body.next(&buffer)
        case .untilClose:
            guard buffer.readableBytes > 0 else { return nil }
            return .data(buffer.readSlice(length: buffer.readableBytes)!)
        }
    }

    /// The body ends when the connection closes (else a close cuts it short).
    package var endsAtClose: Bool {
        if case .untilClose = self { true } else { false }
    }
}

extension MessageBody {
    /// The next event of `body`, which is left nil once it has ended (the next head follows).
    package static func read(_ body: inout MessageBody?, from buffer: inout ByteBuffer) throws(HTTPSyntaxError) -> ChunkedBody.Event? {
        let event = try body?.next(&buffer)
        if case .end? = event { body = nil }
        return event
    }
}
