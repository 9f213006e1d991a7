import HTTPWire
import NIOCore

/// Reads a tenant's HTTP/1.1 answers out of the bytes its connection receives, one event at a
/// time: the status and whether the connection stays open, the body's bytes, the end.
///
/// It reads what ``UpstreamConnection`` needs and nothing more: three header names are
/// recognised, byte by byte (``MessageFraming``), and no header becomes a `String`. NIO's
/// general decoder built each header's name and value as strings, behind llhttp's callbacks.
/// Framing follows RFC 9112 section 6:
/// - `Transfer-Encoding` ending in `chunked` first; any other coding runs to the close;
/// - then `Content-Length`, where copies must agree;
/// - else the body runs until the connection closes.
/// 1xx answers are skipped; 204, 304 and answers to HEAD have no body.
/// A head over 64 KiB, line folding, a malformed line or conflicting lengths are a
/// ``Failure``, and the connection is closed.
struct UpstreamResponseParser {
    enum Event: Equatable {
        /// A final answer's head; `keepAlive`: the connection may carry the next exchange.
        case head(status: Int, keepAlive: Bool)
        /// Part of the body, in order (a slice of the bytes received, not a copy).
        case body(ByteBuffer)
        /// The answer is whole.
        case end
    }

    typealias Failure = HTTPSyntaxError

    /// The body being read; nil while waiting for a head.
    private var body: MessageBody?
    /// The first bytes of a head that hold no end of it.
    private var scanned = 0
    private var requestIsHead = false

    /// The next exchange's request was (not) HEAD, whose answer has no body whatever it says.
    mutating func expectAnswer(toHead: Bool) {
        requestIsHead = toHead
        body = nil
        scanned = 0
    }

    /// The next event the bytes at `buffer`'s reader index make, consuming them; nil when it
    /// needs more bytes. After ``Event/end`` it reads the next answer's head.
    mutating func next(_ buffer: inout ByteBuffer) throws(Failure) -> Event? {
        while true {
            if body != nil {
                switch try MessageBody.read(&body, from: &buffer) {
                case .data(let part)?: return .body(part)
                case .end?: return .end
                case nil: return nil
                }
            }
            // nil nil: a 1xx head, and the final answer's head follows.
            guard let head = try readHead(&buffer) else { return nil }
            if let event = head { return event }
        }
    }

    /// The connection closed: the end of a body that runs until then; nil when the answer was
    /// cut short (or none had begun).
    mutating func connectionClosed() -> Event? {
        guard body?.endsAtClose == true else { return nil }
        body = nil
        return .end
    }

    /// nil: more bytes needed. `.some(nil)`: a 1xx head was consumed. Else the head's event,
    /// with the state set for the body.
    private mutating func readHead(_ buffer: inout ByteBuffer) throws(Failure) -> Event?? {
        let found = buffer.withUnsafeReadableBytes { HTTPSyntax.endOfHead(in: $0, from: max(0, scanned - 3)) }
        guard let end = found, end <= HTTPSyntax.maximumHeadSize else {
            if buffer.readableBytes > HTTPSyntax.maximumHeadSize { throw Failure("the head is longer than 64 KiB") }
            scanned = buffer.readableBytes
            return nil
        }
        let (status, minor, framing) = try buffer.withUnsafeReadableBytes { bytes throws(Failure) in
            try Self.parseHead(UnsafeRawBufferPointer(rebasing: bytes[..<end]))
        }
        buffer.moveReaderIndex(forwardBy: end + 4)
        scanned = 0
        switch status {
        case 101:
            throw Failure("the answer switches protocols, which was not asked for")
        case 100..<200:
            return .some(nil)
        case 204, 304:
            body = .fixed(remaining: 0)
        default:
            if requestIsHead {
                body = .fixed(remaining: 0)
            } else if framing.chunked {
                body = .chunked(ChunkedBody())
            } else if framing.otherCoding {
                body = .untilClose
            } else if let length = framing.contentLength {
                body = .fixed(remaining: length)
            } else {
                body = .untilClose
            }
        }
        let runsToClose = body?.endsAtClose == true
        // Both framings at once: Transfer-Encoding wins, and the connection is not trusted after.
        let keepAlive = framing.keepAlive(minorVersion: minor) && !runsToClose
            && !(framing.contentLength != nil && framing.hasTransferEncoding)
        return .some(.head(status: status, keepAlive: keepAlive))
    }

    /// The status, the HTTP/1 minor version and the framing fields of a head.
    private static func parseHead(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> (Int, Int, MessageFraming) {
        var lines = HeadLines(bytes)
        let statusLine = try lines.next()!
        // "HTTP/1.x NNN", then a space and a reason, or nothing.
        func digit(_ index: Int) -> Int? {
            let byte = statusLine[index]
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
        guard statusLine.count >= 12, statusLine.starts(with: "HTTP/1.".utf8), statusLine[8] == 0x20,
            statusLine.count == 12 || statusLine[12] == 0x20,
            let minor = digit(7), let hundreds = digit(9), let tens = digit(10), let ones = digit(11)
        else { throw Failure("the status line is not HTTP/1.x") }
        var framing = MessageFraming()
        while let line = try lines.next() {
            let field = try HeaderField(line)
            try framing.read(
                name: UnsafeRawBufferPointer(rebasing: bytes[field.name]), value: UnsafeRawBufferPointer(rebasing: bytes[field.value]))
        }
        return (hundreds * 100 + tens * 10 + ones, minor, framing)
    }
}
