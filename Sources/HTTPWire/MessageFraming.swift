/// What a head's `Content-Length`, `Transfer-Encoding` and `Connection` fields say about the
/// body's framing and the connection, read field by field (RFC 9112 sections 6 and 9).
package struct MessageFraming {
    /// Every copy agreed.
    package private(set) var contentLength: Int?
    /// The last transfer coding is `chunked`.
    package private(set) var chunked = false
    package private(set) var hasTransferEncoding = false
    /// How many transfer codings were listed, over every field.
    package private(set) var transferCodings = 0
    private var closeToken = false
    private var keepAliveToken = false

    package init() {}

    /// A transfer coding other than a final `chunked` (an answer's body then runs to the close).
    package var otherCoding: Bool { hasTransferEncoding && !chunked }

    /// Takes in one field (other names are ignored).
    package mutating func read(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(HTTPSyntaxError) {
        if HTTPSyntax.matches(name, "content-length") {
            var length = contentLength
            try HTTPSyntax.forEachItem(value) { item throws(HTTPSyntaxError) in
                guard let number = HTTPSyntax.decimal(item) else { throw HTTPSyntaxError("Content-Length is not a number") }
                if let length, length != number { throw HTTPSyntaxError("two Content-Length values disagree") }
                length = number
            }
            guard length != nil else { throw HTTPSyntaxError("Content-Length is empty") }
            contentLength = length
        } else if HTTPSyntax.matches(name, "transfer-encoding") {
            // Each field's codings follow the last one's: the last of all counts.
            hasTransferEncoding = true
            HTTPSyntax.forEachItem(value) { item in
                transferCodings += 1
                chunked = HTTPSyntax.matches(item, "chunked")
            }
        } else if HTTPSyntax.matches(name, "connection") {
            HTTPSyntax.forEachItem(value) { item in
                if HTTPSyntax.matches(item, "close") { closeToken = true }
                if HTTPSyntax.matches(item, "keep-alive") { keepAliveToken = true }
            }
        }
    }

    /// Whether the connection may carry another message: HTTP/1.1 unless told to close,
    /// HTTP/1.0 only when told to keep alive.
    package func keepAlive(minorVersion: Int) -> Bool {
        !closeToken && (minorVersion >= 1 || keepAliveToken)
    }
}
