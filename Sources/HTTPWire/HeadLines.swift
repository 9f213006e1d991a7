/// The CRLF-separated lines of a head, without the CRLF CRLF that ends it.
package struct HeadLines {
    private let bytes: UnsafeRawBufferPointer
    private var start = 0
    private var finished = false

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next line; a CR or LF other than in a CRLF, or a NUL, is an error (RFC 9112 allows a
    /// bare LF to be read as a line end, which is how two parsers come to disagree).
    package mutating func next() throws(HTTPSyntaxError) -> UnsafeRawBufferPointer.SubSequence? {
        guard !finished else { return nil }
        var index = start
        while index < bytes.count {
            // Eight bytes at a time while none is a CR, LF or NUL (or anything below 0x0E).
            if index + 8 <= bytes.count, !HTTPSyntax.holds(HTTPSyntax.word(bytes, at: index), below: 0x0E) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { break }
            if byte == 0x0D || byte == 0x0A || byte == 0 { throw HTTPSyntaxError("a line holds a bare CR, LF or NUL") }
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
