package import NIOCore

/// Reads a chunked body (RFC 9112 section 7.1) out of the bytes that follow its head: the
/// chunks' data in order, then the end once the last chunk and its trailers (dropped) are in.
package struct ChunkedBody {
    /// What a body reads as (``MessageBody`` too).
    package enum Event: Equatable {
        /// Data: a slice of the bytes received, not a copy.
        case data(ByteBuffer)
        case end
    }

    /// Longest chunk-size line, extensions included.
    package static let maximumLineSize = 1024

    private enum State {
        case sizeLine
        case data(remaining: Int)
        /// The CRLF after a chunk's data.
        case dataEnd
        /// Trailer lines up to an empty one; `read` bytes of them so far, and the first `scanned`
        /// bytes of the current one hold no CRLF.
        case trailers(read: Int, scanned: Int)
    }

    private var state = State.sizeLine

    package init() {}

    /// The next event the bytes at `buffer`'s reader index make, consuming them; nil when it
    /// needs more bytes.
    package mutating func next(_ buffer: inout ByteBuffer) throws(HTTPSyntaxError) -> Event? {
        while true {
            switch state {
            case .sizeLine:
                guard let size = try Self.readSizeLine(&buffer) else { return nil }
                state = size == 0 ? .trailers(read: 0, scanned: 0) : .data(remaining: size)
            case .data(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = min(remaining, buffer.readableBytes)
                state = count == remaining ? .dataEnd : .data(remaining: remaining - count)
                return .data(buffer.readSlice(length: count)!)
            case .dataEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw HTTPSyntaxError("a chunk does not end with CRLF") }
                state = .sizeLine
            case .trailers(let read, let scanned):
                guard let length = HTTPSyntax.lineLength(buffer, scanned: scanned) else {
                    if read + buffer.readableBytes > HTTPSyntax.maximumHeadSize { throw HTTPSyntaxError("the trailers are too long") }
                    state = .trailers(read: read, scanned: buffer.readableBytes)
                    return nil
                }
                if length == 0 {
                    buffer.moveReaderIndex(forwardBy: 2)
                    state = .sizeLine
                    return .end
                }
                // Dropped, but checked as a header line is: a peer that ends lines differently
                // must not read a different message here.
                try buffer.withUnsafeReadableBytes { bytes throws(HTTPSyntaxError) in
                    let line = UnsafeRawBufferPointer(rebasing: bytes[..<length])
                    if HTTPSyntax.holdsControl(line) { throw HTTPSyntaxError("a trailer line holds a control character") }
                    _ = try HeaderField(line[...])
                }
                buffer.moveReaderIndex(forwardBy: length + 2)
                state = .trailers(read: read + length + 2, scanned: 0)
            }
        }
    }

    /// A chunk's size (its extensions are ignored), consuming its line; nil while it is not whole.
    private static func readSizeLine(_ buffer: inout ByteBuffer) throws(HTTPSyntaxError) -> Int? {
        guard let length = HTTPSyntax.lineLength(buffer) else {
            if buffer.readableBytes > maximumLineSize { throw HTTPSyntaxError("a chunk-size line is too long") }
            return nil
        }
        guard length <= maximumLineSize else { throw HTTPSyntaxError("a chunk-size line is too long") }
        // Extensions are ignored, but a bare CR or LF in one would end the line for another parser.
        if buffer.withUnsafeReadableBytes({ HTTPSyntax.holdsControl(UnsafeRawBufferPointer(rebasing: $0[..<length])) }) {
            throw HTTPSyntaxError("a chunk-size line holds a control character")
        }
        let size = buffer.withUnsafeReadableBytes { bytes in hexadecimal(UnsafeRawBufferPointer(rebasing: bytes[..<length])) }
        guard let size else { throw HTTPSyntaxError("a chunk size is not a hexadecimal number") }
        buffer.moveReaderIndex(forwardBy: length + 2)
        return size
    }

    /// `1*HEXDIG`, then optionally white space and `;` extensions; at most 15 digits.
    private static func hexadecimal(_ line: UnsafeRawBufferPointer) -> Int? {
        var size = 0
        var index = 0
        while index < line.count {
            let byte = line[index]
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            default:
                guard index > 0 else { return nil }
                var rest = index
                while rest < line.count, line[rest] == 0x20 || line[rest] == 0x09 { rest += 1 }
                return rest == line.count || line[rest] == UInt8(ascii: ";") ? size : nil
            }
            guard index < 15 else { return nil }
            size = size << 4 | value
            index += 1
        }
        return index > 0 ? size : nil
    }
}
