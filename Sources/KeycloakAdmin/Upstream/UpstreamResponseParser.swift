import NIOCore

/// Reads a tenant's HTTP/1.1 answers out of the bytes its connection receives, one event at a
/// time: the status and whether the connection stays open, the body's bytes, the end.
///
/// It reads what ``UpstreamConnection`` needs and nothing more: three header names are
/// recognised, byte by byte, and no header becomes a `String`. NIO's general decoder built each
/// header's name and value as strings and cost about 6 % of the proxy's CPU at 64 calls in
/// flight. Framing follows RFC 9112 section 6:
/// - `Transfer-Encoding` ending in `chunked` first; any other coding runs to the close;
/// - then `Content-Length`, where copies must agree;
/// - else the body runs until the connection closes.
/// 1xx answers are skipped; 204, 304 and answers to HEAD have no body.
/// A head over ``maximumHeadSize``, line folding, a malformed line or conflicting lengths are
/// a ``Failure``, and the connection is closed.
struct UpstreamResponseParser {
    enum Event: Equatable {
        /// A final answer's head; `keepAlive`: the connection may carry the next exchange.
        case head(status: Int, keepAlive: Bool)
        /// Part of the body, in order (a slice of the bytes received, not a copy).
        case body(ByteBuffer)
        /// The answer is whole.
        case end
    }

    /// Why the bytes are not an HTTP/1.1 answer.
    struct Failure: Error, Equatable {
        let reason: String
    }

    /// Longest head (status line and headers) read; Keycloak's are well under 2 KiB.
    static let maximumHeadSize = 64 * 1024
    /// Longest chunk-size line, extensions included.
    static let maximumChunkLineSize = 1024

    private enum State {
        /// Waiting for a head; the first `scanned` bytes hold no end of it.
        case head(scanned: Int)
        case fixed(remaining: Int)
        case chunkLine
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkEnd
        /// After the last chunk: trailer lines (dropped) up to an empty one; `read` so far.
        case trailers(read: Int)
        case untilClose
    }

    private var state = State.head(scanned: 0)
    private var requestIsHead = false

    /// The next exchange's request was (not) HEAD, whose answer has no body whatever it says.
    mutating func expectAnswer(toHead: Bool) {
        requestIsHead = toHead
        state = .head(scanned: 0)
    }

    /// The next event the bytes at `buffer`'s reader index make, consuming them; nil when it
    /// needs more bytes. After ``Event/end`` it reads the next answer's head.
    mutating func next(_ buffer: inout ByteBuffer) throws(Failure) -> Event? {
        while true {
            switch state {
            case .head(let scanned):
                guard let head = try readHead(&buffer, scanned: scanned) else { return nil }
                if let event = head { return event }
            // A 1xx: the final answer's head follows.
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .head(scanned: 0)
                    return .end
                }
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                state = .fixed(remaining: remaining - count)
                return .body(buffer.readSlice(length: count)!)
            case .chunkLine:
                guard let size = try readChunkLine(&buffer) else { return nil }
                state = size == 0 ? .trailers(read: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                state = count == remaining ? .chunkEnd : .chunkData(remaining: remaining - count)
                return .body(buffer.readSlice(length: count)!)
            case .chunkEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw Failure(reason: "a chunk does not end with CRLF") }
                state = .chunkLine
            case .trailers(let read):
                guard let lineLength = Self.lineLength(buffer) else {
                    if read + buffer.readableBytes > Self.maximumHeadSize { throw Failure(reason: "the trailers are too long") }
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: lineLength + 2)
                if lineLength == 0 {
                    state = .head(scanned: 0)
                    return .end
                }
                state = .trailers(read: read + lineLength + 2)
            case .untilClose:
                guard buffer.readableBytes > 0 else { return nil }
                return .body(buffer.readSlice(length: buffer.readableBytes)!)
            }
        }
    }

    /// The connection closed: the end of a body that runs until then; nil when the answer was
    /// cut short (or none had begun).
    mutating func connectionClosed() -> Event? {
        guard case .untilClose = state else { return nil }
        state = .head(scanned: 0)
        return .end
    }

    // MARK: - The head

    /// nil: more bytes needed. `.some(nil)`: a 1xx head was consumed. Else the head's event,
    /// with the state set for the body.
    private mutating func readHead(_ buffer: inout ByteBuffer, scanned: Int) throws(Failure) -> Event?? {
        let found = buffer.withUnsafeReadableBytes { Self.endOfHead(in: $0, from: max(0, scanned - 3)) }
        guard let end = found else {
            if buffer.readableBytes > Self.maximumHeadSize { throw Failure(reason: "the head is longer than 64 KiB") }
            state = .head(scanned: buffer.readableBytes)
            return nil
        }
        guard end <= Self.maximumHeadSize else { throw Failure(reason: "the head is longer than 64 KiB") }
        let head = try buffer.withUnsafeReadableBytes { bytes throws(Failure) in
            try Head(UnsafeRawBufferPointer(rebasing: bytes[..<end]))
        }
        buffer.moveReaderIndex(forwardBy: end + 4)
        switch head.status {
        case 101:
            throw Failure(reason: "the answer switches protocols, which was not asked for")
        case 100..<200:
            state = .head(scanned: 0)
            return .some(nil)
        case 204, 304:
            state = .fixed(remaining: 0)
        default:
            if requestIsHead {
                state = .fixed(remaining: 0)
            } else if head.chunked {
                state = .chunkLine
            } else if head.otherCoding {
                state = .untilClose
            } else if let length = head.contentLength {
                state = .fixed(remaining: length)
            } else {
                state = .untilClose
            }
        }
        let runsToClose = if case .untilClose = state { true } else { false }
        // Both framings at once: Transfer-Encoding wins, and the connection is not trusted after.
        let keepAlive = head.keepAlive && !runsToClose && !(head.contentLength != nil && (head.chunked || head.otherCoding))
        return .some(.head(status: head.status, keepAlive: keepAlive))
    }

    /// Where the CRLF CRLF ending the head begins, searching from `start`.
    private static func endOfHead(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = start + 3
        while index < bytes.count {
            // Most bytes are not LF: test that first.
            if bytes[index] == 0x0A, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                return index - 3
            }
            index += 1
        }
        return nil
    }

    /// The length of the line at the reader index, without its CRLF; nil while no CRLF came.
    private static func lineLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            var index = 1
            while index < bytes.count {
                if bytes[index] == 0x0A, bytes[index - 1] == 0x0D { return index - 1 }
                index += 1
            }
            return nil
        }
    }

    // MARK: - Chunks

    /// A chunk's size (its extensions are ignored), consuming its line; nil while it is not whole.
    private func readChunkLine(_ buffer: inout ByteBuffer) throws(Failure) -> Int? {
        guard let length = Self.lineLength(buffer) else {
            if buffer.readableBytes > Self.maximumChunkLineSize { throw Failure(reason: "a chunk-size line is too long") }
            return nil
        }
        guard length <= Self.maximumChunkLineSize else { throw Failure(reason: "a chunk-size line is too long") }
        let size = buffer.withUnsafeReadableBytes { bytes -> Int? in
            var size = 0
            var digits = 0
            for byte in bytes[..<length] {
                let value: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
                case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                    // Extensions (after optional white space and a semicolon) are ignored.
                    let rest = bytes[bytes.startIndex..<length].drop { $0 != byte }.drop { $0 == 0x20 || $0 == 0x09 }
                    return digits > 0 && (rest.isEmpty || rest.first == UInt8(ascii: ";")) ? size : nil
                default: return nil
                }
                // 15 hex digits stay far below Int.max.
                guard digits < 15 else { return nil }
                size = size << 4 | value
                digits += 1
            }
            return digits > 0 ? size : nil
        }
        guard let size else { throw Failure(reason: "a chunk size is not a hexadecimal number") }
        buffer.moveReaderIndex(forwardBy: length + 2)
        return size
    }
}

extension UpstreamResponseParser {
    /// What a head says about the answer and its framing.
    private struct Head {
        var status = 0
        var keepAlive = true
        var contentLength: Int?
        var chunked = false
        /// A transfer coding other than a final `chunked`: the body runs to the close.
        var otherCoding = false

        init(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            var lines = LineIterator(bytes)
            let statusLine = try lines.next()!
            // "HTTP/1.x NNN" then a space and a reason, or nothing.
            guard statusLine.count >= 12, statusLine.starts(with: "HTTP/1.".utf8), statusLine[8] == 0x20,
                statusLine.count == 12 || statusLine[12] == 0x20,
                let minor = Self.digit(statusLine[7]),
                let hundreds = Self.digit(statusLine[9]), let tens = Self.digit(statusLine[10]), let ones = Self.digit(statusLine[11])
            else { throw Failure(reason: "the status line is not HTTP/1.x") }
            status = hundreds * 100 + tens * 10 + ones
            var closeToken = false
            var keepAliveToken = false
            while let line = try lines.next() {
                guard let first = line.first, first != 0x20, first != 0x09 else {
                    throw Failure(reason: line.isEmpty ? "an empty header line" : "a header is folded over lines")
                }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                    line[..<colon].allSatisfy(Self.isTokenByte)
                else { throw Failure(reason: "a header line is not a name, a colon and a value") }
                let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
                let value = Self.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
                if Self.name(name, is: "content-length") {
                    var length = contentLength
                    try Self.forEachItem(value) { item throws(Failure) in
                        guard let number = Self.decimal(item) else { throw Failure(reason: "Content-Length is not a number") }
                        if let length, length != number { throw Failure(reason: "two Content-Length values disagree") }
                        length = number
                    }
                    guard length != nil else { throw Failure(reason: "Content-Length is empty") }
                    contentLength = length
                } else if Self.name(name, is: "transfer-encoding") {
                    // Each header line's codings follow the last one's: the last of all counts.
                    var last: (chunked: Bool, other: Bool) = (chunked, otherCoding)
                    Self.forEachItem(value) { item in
                        last.chunked = Self.name(item, is: "chunked")
                        last.other = last.other || !last.chunked
                    }
                    (chunked, otherCoding) = (last.chunked, last.chunked ? false : last.other)
                } else if Self.name(name, is: "connection") {
                    Self.forEachItem(value) { item in
                        if Self.name(item, is: "close") { closeToken = true }
                        if Self.name(item, is: "keep-alive") { keepAliveToken = true }
                    }
                }
            }
            // HTTP/1.1 stays open unless told; HTTP/1.0 only when told.
            keepAlive = !closeToken && (minor >= 1 || keepAliveToken)
        }

        private static func digit(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }

        /// RFC 9110's tchar.
        private static func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }

        /// Case-insensitive, against a lowercase `name`.
        private static func name(_ bytes: UnsafeRawBufferPointer, is name: StaticString) -> Bool {
            guard bytes.count == name.utf8CodeUnitCount else { return false }
            let expected = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                if lowered != expected[index] { return false }
            }
            return true
        }

        private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        }

        /// Calls `body` with each comma-separated item of a value, trimmed, empty ones left out.
        private static func forEachItem<E: Error>(
            _ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
        ) throws(E) {
            var start = 0
            while start <= value.count {
                var end = start
                while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
                let item = trimmed(UnsafeRawBufferPointer(rebasing: value[start..<end]))
                if !item.isEmpty { try body(item) }
                start = end + 1
            }
        }

        private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
            // 18 digits stay below Int.max.
            guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
            var value = 0
            for byte in bytes {
                guard let digit = digit(byte) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }

    /// The CRLF-separated lines of a head (without its final CRLF CRLF).
    private struct LineIterator {
        let bytes: UnsafeRawBufferPointer
        var start = 0
        var finished = false

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        /// The next line; a CR or LF other than in a CRLF, or a NUL, is a ``Failure``.
        mutating func next() throws(Failure) -> UnsafeRawBufferPointer.SubSequence? {
            guard !finished else { return nil }
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { break }
                if byte == 0x0D || byte == 0x0A || byte == 0 { throw Failure(reason: "a line holds a bare CR, LF or NUL") }
                index += 1
            }
            if index >= bytes.count {
                finished = true
                return bytes[start...]
            }
            defer { start = index + 2 }
            return bytes[start..<index]
        }
    }
}
