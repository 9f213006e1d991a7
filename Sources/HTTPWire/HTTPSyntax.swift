package import NIOCore

/// HTTP/1.1 message syntax (RFC 9110 and 9112) over bytes, for the two parsers: the
/// listener's requests and the tenant connections' answers. Nothing here allocates.
package enum HTTPSyntax {
    /// Longest head (start line and header fields) either parser reads.
    package static let maximumHeadSize = 64 * 1024

    /// RFC 9110's tchar: what a method, a header name or a list token is made of (letters,
    /// digits and `!#$%&'*+-.^_`|~`), looked up in a bitmap of the 128 ASCII bytes (checked
    /// against that definition for all 256 bytes in HTTPSyntaxTests).
    @inlinable
    package static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte >> 6 {
        case 0: (0x03FF_6CFA_0000_0000 as UInt64) >> UInt64(byte) & 1 == 1
        case 1: (0x57FF_FFFF_C7FF_FFFE as UInt64) >> UInt64(byte & 63) & 1 == 1
        default: false
        }
    }

    /// Whether `bytes` are `lowercased` in any case (ASCII letters only fold).
    @inlinable
    package static func matches(_ bytes: UnsafeRawBufferPointer, _ lowercased: StaticString) -> Bool {
        guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
        let expected = lowercased.utf8Start
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) != expected[index] { return false }
        }
        return true
    }

    /// `bytes` without leading and trailing spaces and tabs, keeping their indices.
    @inlinable
    package static func trimmed(_ bytes: UnsafeRawBufferPointer.SubSequence) -> UnsafeRawBufferPointer.SubSequence {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }

    /// `bytes` without leading and trailing spaces and tabs.
    @inlinable
    package static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: trimmed(bytes[...]))
    }

    /// Calls `body` with each comma-separated item of a field value, trimmed, empty ones left out.
    @inlinable
    package static func forEachItem<E: Error>(
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

    /// Whether `bytes` hold a control character other than a tab (CR, LF and NUL included).
    @inlinable
    package static func holdsControl(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        // Eight at a time up to the first word that may hold one (a tab makes a word look).
        while index + 8 <= bytes.count {
            let word = word(bytes, at: index)
            if holds(word, below: 0x20) || holds(word, 0x7F) { break }
            index += 8
        }
        return bytes[index...].contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }

    // MARK: - Eight bytes at a time

    /// The eight bytes of `bytes` from `index` as one word.
    @inlinable
    package static func word(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
    }

    /// Whether a byte of `word` is `byte`.
    @inlinable
    package static func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return holds(difference, below: 1)
    }

    /// Whether a byte of `word` is below `limit`, at most 0x80. (Subtracting `limit` from each
    /// byte borrows into a byte's high bit only where one is below it; the borrow can carry a
    /// false mark into higher bytes only once a real one was found.)
    @inlinable
    package static func holds(_ word: UInt64, below limit: UInt8) -> Bool {
        (word &- 0x0101_0101_0101_0101 &* UInt64(limit)) & ~word & 0x8080_8080_8080_8080 != 0
    }

    /// A non-negative decimal of at most 18 digits (so it cannot overflow).
    @inlinable
    package static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Where the CRLF CRLF that ends a head begins in `bytes`, searching from `start`.
    @inlinable
    package static func endOfHead(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start + 3
        while index < bytes.count {
            // Most bytes are not LF: eight of them at a time, then one by one.
            if index + 8 <= bytes.count, !holds(word(bytes, at: index), 0x0A) {
                index += 8
                continue
            }
            if bytes[index] == 0x0A, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                return index - 3
            }
            index += 1
        }
        return nil
    }

    /// The length of the line at `buffer`'s reader index, without its CRLF; nil while no CRLF came.
    /// The first `scanned` bytes are known to hold none.
    @inlinable
    package static func lineLength(_ buffer: ByteBuffer, scanned: Int = 0) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            var index = max(1, scanned)
            while index < bytes.count {
                if bytes[index] == 0x0A, bytes[index - 1] == 0x0D { return index - 1 }
                index += 1
            }
            return nil
        }
    }
}
