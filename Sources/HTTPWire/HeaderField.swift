/// One `name: value` line of a head, checked: the name is a token right before the colon,
/// the value has its surrounding white space removed and holds no control character.
package struct HeaderField: Sendable {
    /// Indices into the head's bytes.
    package let name: Range<Int>
    package let value: Range<Int>

    /// `line` is a slice of the head's bytes, so the ranges index the head.
    package init(_ line: UnsafeRawBufferPointer.SubSequence) throws(HTTPSyntaxError) {
        guard let first = line.first, first != 0x20, first != 0x09 else {
            throw HTTPSyntaxError(line.isEmpty ? "an empty header line" : "a header is folded over lines")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[..<colon].allSatisfy(HTTPSyntax.isTokenByte)
        else { throw HTTPSyntaxError("a header line is not a name, a colon and a value") }
        let value = HTTPSyntax.trimmed(line[(colon + 1)...])
        // RFC 9110's field-value: visible characters, spaces and tabs.
        guard !HTTPSyntax.holdsControl(UnsafeRawBufferPointer(rebasing: value)) else {
            throw HTTPSyntaxError("a header value holds a control character")
        }
        name = line.startIndex..<colon
        self.value = value.startIndex..<value.endIndex
    }
}
