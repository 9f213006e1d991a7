import HTTPWire
import Testing

/// The head scans look at eight bytes at a time: each must find what a byte-by-byte scan
/// finds, wherever in a word it sits and in a short tail.
@Suite struct HTTPSyntaxTests {
    private func bytes(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try array.withUnsafeBytes(body)
    }

    @Test func tokenBytesAreRFC9110sTchar() {
        for byte in UInt8.min...UInt8.max {
            let scalar = Unicode.Scalar(byte)
            let expected = ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
            #expect(HTTPSyntax.isTokenByte(byte) == expected, "\(byte)")
        }
    }

    @Test func aControlByteIsFoundAtEveryPosition() {
        for length in 0...20 {
            for position in 0..<max(length, 1) {
                for special: UInt8 in [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF] {
                    var line = [UInt8](repeating: UInt8(ascii: "v"), count: length)
                    if length > 0 { line[position] = special }
                    let expected = line.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
                    bytes(line) { #expect(HTTPSyntax.holdsControl($0) == expected, "\(length) \(position) \(special)") }
                }
            }
        }
    }

    @Test func theHeadEndsAtTheFirstBlankLineWhereverItIs() {
        for prefix in 0...20 {
            // Decoy line ends before it: LFs and CRLFs that are not a blank line.
            var head = [UInt8](repeating: UInt8(ascii: "h"), count: prefix)
            if prefix > 4 { head[prefix / 2] = 0x0A; head[prefix - 3] = 0x0D; head[prefix - 2] = 0x0A }
            let message = head + Array("\r\n\r\nbody\r\n\r\n".utf8)
            bytes(message) { #expect(HTTPSyntax.endOfHead(in: $0, from: 0) == prefix, "\(prefix)") }
            bytes(head + Array("\r\n\r".utf8)) { #expect(HTTPSyntax.endOfHead(in: $0, from: 0) == nil) }
            // Resumed after a read that ended inside the head, at each point before its end.
            for start in 0...prefix {
                bytes(message) { #expect(HTTPSyntax.endOfHead(in: $0, from: start) == prefix, "\(prefix) from \(start)") }
            }
        }
    }

    @Test func headLinesSplitOnCRLFAndRefuseABareCRLFOrNULAnywhere() throws {
        for length in 0...20 {
            let line = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            try bytes(line + [0x0D, 0x0A] + line) { (head: UnsafeRawBufferPointer) throws in
                var lines = HeadLines(head)
                #expect(try lines.next()?.count == length)
                #expect(try lines.next()?.count == length)
                #expect(try lines.next() == nil)
            }
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x0A, 0x0D] {
                    var broken = line
                    broken[position] = bad
                    bytes(broken + [0x0D, 0x0A]) { head in
                        var lines = HeadLines(head)
                        #expect(throws: HTTPSyntaxError.self, "\(length) \(position) \(bad)") { _ = try lines.next() }
                    }
                }
            }
        }
    }
}
