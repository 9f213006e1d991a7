import HTTPWire
import NIOCore
import NIOHTTP1

/// Reads the listener's HTTP/1.1 requests out of the bytes a connection receives, one event at
/// a time: a head, the body's bytes, the end; then the next request.
///
/// In place of NIO's decoder, which built every header's name and value as strings behind
/// llhttp's callbacks (docs/benchmarks.md, 2026-12-02, has the profile): here a head is one
/// slice of the bytes read and the ranges of its fields (``RequestHeaders``). Framing follows
/// RFC 9112 section 6 for a server, strictly, since the bytes come from anyone who can connect:
/// - `Transfer-Encoding` must be a single `chunked` (else 501), and may not come with
///   `Content-Length` or in HTTP/1.0 (400);
/// - copies of `Content-Length` must agree;
/// - line folding, bare CR or LF, control characters in values, white space before a colon,
///   and anything but `METHOD target HTTP/1.x` as the request line are a 400;
/// - a head over 64 KiB is a 431;
/// - an HTTP/1.1 request without `Host`, with two, or with one that is not `host[:port]` is a
///   400 (section 3.2).
/// Empty lines before a request line are skipped (section 2.2).
struct RequestParser {
    enum Event: Sendable {
        case head(RequestHead)
        /// Part of the body, in order (a slice of the bytes received, not a copy).
        case body(ByteBuffer)
        case end
    }

    /// Why the bytes are not a request, and the status that says so.
    struct Failure: Error, Equatable {
        let status: HTTPResponseStatus
        let reason: String
    }

    /// The body being read; nil while waiting for a head.
    private var body: MessageBody?
    /// The first bytes of a head that hold no end of it.
    private var scanned = 0
    /// Empty lines skipped before the request line being read.
    private var emptyLines = 0
    /// RFC 9112 section 2.2 asks a server to skip at least one (a client's CRLF after a body).
    static let maximumEmptyLines = 8

    /// The next event the bytes at `buffer`'s reader index make, consuming them; nil when it
    /// needs more bytes.
    mutating func next(_ buffer: inout ByteBuffer) throws(Failure) -> Event? {
        guard body != nil else { return try readHead(&buffer) }
        switch try Self.syntax({ () throws(HTTPSyntaxError) in try MessageBody.read(&body, from: &buffer) }) {
        case .data(let part)?: return .body(part)
        case .end?: return .end
        case nil: return nil
        }
    }

    /// A syntax error is a 400.
    private static func syntax<T>(_ body: () throws(HTTPSyntaxError) -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch {
            throw Failure(status: .badRequest, reason: error.reason)
        }
    }

    private mutating func readHead(_ buffer: inout ByteBuffer) throws(Failure) -> Event? {
        while buffer.readableBytes >= 2, buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) == 0x0D0A {
            emptyLines += 1
            guard emptyLines <= Self.maximumEmptyLines else {
                throw Failure(status: .badRequest, reason: "too many empty lines before a request line")
            }
            buffer.moveReaderIndex(forwardBy: 2)
            scanned = max(0, scanned - 2)
        }
        let found = buffer.withUnsafeReadableBytes { HTTPSyntax.endOfHead(in: $0, from: max(0, scanned - 3)) }
        guard let end = found, end <= HTTPSyntax.maximumHeadSize else {
            if buffer.readableBytes > HTTPSyntax.maximumHeadSize {
                throw Failure(status: .requestHeaderFieldsTooLarge, reason: "the request's head is longer than 64 KiB")
            }
            scanned = buffer.readableBytes
            return nil
        }
        let bytes = buffer.readSlice(length: end)!
        buffer.moveReaderIndex(forwardBy: 4)
        scanned = 0
        emptyLines = 0
        let head = try Self.parseHead(bytes)
        body = head.isChunked ? .chunked(ChunkedBody()) : .fixed(remaining: head.contentLength ?? 0)
        return .head(head)
    }

    private static func parseHead(_ bytes: ByteBuffer) throws(Failure) -> RequestHead {
        try bytes.withUnsafeReadableBytes { head throws(Failure) in
            var framing = MessageFraming()
            var asksContinue = false
            var hosts = 0
            var hostIsValid = true
            var fields: [HeaderField] = []
            fields.reserveCapacity(12)
            let requestLine = try syntax { () throws(HTTPSyntaxError) in
                var lines = HeadLines(head)
                let requestLine = try lines.next()!
                while let line = try lines.next() {
                    let field = try HeaderField(line)
                    let name = UnsafeRawBufferPointer(rebasing: head[field.name])
                    let value = UnsafeRawBufferPointer(rebasing: head[field.value])
                    try framing.read(name: name, value: value)
                    if HTTPSyntax.matches(name, "expect") { asksContinue = HTTPSyntax.matches(value, "100-continue") }
                    if HTTPSyntax.matches(name, "host") {
                        hosts += 1
                        hostIsValid = hostIsValid && value.allSatisfy(isHostByte)
                    }
                    fields.append(field)
                }
                return requestLine
            }
            let (method, target, minor) = try parseRequestLine(UnsafeRawBufferPointer(rebasing: requestLine))
            if framing.hasTransferEncoding {
                guard minor >= 1 else { throw Failure(status: .badRequest, reason: "an HTTP/1.0 request has a Transfer-Encoding") }
                // Chunked once, and nothing else: the proxy decodes no gzip, and chunked twice
                // is not allowed (RFC 9112 section 6.1).
                guard framing.chunked, framing.transferCodings == 1 else {
                    throw Failure(status: .notImplemented, reason: "the only transfer coding understood is chunked")
                }
                guard framing.contentLength == nil else {
                    throw Failure(status: .badRequest, reason: "a request has both Content-Length and Transfer-Encoding")
                }
            }
            guard hosts <= 1 else { throw Failure(status: .badRequest, reason: "a request has more than one Host") }
            guard hosts == 1 || minor == 0 else { throw Failure(status: .badRequest, reason: "an HTTP/1.1 request has no Host") }
            guard hostIsValid else { throw Failure(status: .badRequest, reason: "the Host is not host[:port]") }
            return RequestHead(
                method: method, uri: target, version: HTTPVersion(major: 1, minor: min(minor, 1)),
                keepAlive: framing.keepAlive(minorVersion: minor), contentLength: framing.contentLength,
                // RFC 9110 section 10.1.1: ignored in HTTP/1.0, which has no 100.
                expectsContinue: asksContinue && minor >= 1, isChunked: framing.chunked,
                headers: RequestHeaders(head: bytes, fields: fields))
        }
    }

    /// A byte of `uri-host [ ":" port ]` (RFC 3986 section 3.2.2): unreserved, sub-delims, `%`
    /// of a percent-encoding, and `:`, `[` and `]` of a port and an IP literal. Empty is allowed.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=%:[]".utf8.contains(byte)
        }
    }

    /// `METHOD SP request-target SP HTTP/1.x`: the method, the target and x.
    private static func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(Failure) -> (HTTPMethod, String, Int) {
        let malformed = Failure(status: .badRequest, reason: "the request line is not METHOD target HTTP/1.x")
        guard let firstSpace = line.firstIndex(of: 0x20), firstSpace > 0, firstSpace <= 32,
            line[..<firstSpace].allSatisfy(HTTPSyntax.isTokenByte),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 0x20), secondSpace > firstSpace + 1,
            line[(firstSpace + 1)..<secondSpace].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            line.count - secondSpace == 9, line[(secondSpace + 1)...].starts(with: "HTTP/1.".utf8),
            line[line.count - 1] >= UInt8(ascii: "0"), line[line.count - 1] <= UInt8(ascii: "9")
        else { throw malformed }
        let method = HTTPMethod(rawValue: String(decoding: line[..<firstSpace], as: UTF8.self))
        let target = String(decoding: line[(firstSpace + 1)..<secondSpace], as: UTF8.self)
        return (method, target, Int(line[line.count - 1] - UInt8(ascii: "0")))
    }
}
