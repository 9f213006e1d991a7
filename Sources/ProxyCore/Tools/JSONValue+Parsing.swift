/// Why a text is not JSON, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset of the first byte that cannot be part of the JSON text.
    public var offset: Int
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

extension JSONValue {
    /// How deeply arrays and objects may nest; deeper input is refused, not recursed into.
    public static let maximumDepth = 64

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes: strict grammar, valid UTF-8 only,
    /// nothing but whitespace after the value. Integers that fit in `Int` become ``int(_:)``;
    /// other numbers ``double(_:)``. A repeated object key keeps its last value.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseDocument()
    }

    /// Parses one JSON text from UTF-8 bytes; see ``init(parsing:)-(UnsafeRawBufferPointer)``.
    public init(parsing bytes: some Sequence<UInt8>) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try JSONValue(parsing: UnsafeRawBufferPointer(buffer)) }
        }
        if let result {
            self = try result.get()
        } else {
            let copy = Array(bytes)
            let result = copy.withUnsafeBytes { buffer in
                Result { () throws(JSONParseError) in try JSONValue(parsing: buffer) }
            }
            self = try result.get()
        }
    }
}

extension JSONValue {
    /// Parses one JSON text as ``init(parsing:)-(UnsafeRawBufferPointer)`` does, except that a
    /// top-level object is not made into a dictionary.
    public static func parseDocument(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONDocument {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseTopLevel()
    }
}

/// A recursive descent parser over a byte buffer that builds ``JSONValue``s directly, without
/// Foundation or Codable: request bodies are parsed once, on the hot path.
private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    /// The members of the objects being parsed, innermost last: each object's dictionary is
    /// then made once, at its size, instead of regrowing key by key.
    var members: [(key: String, value: JSONValue)] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
        return value
    }

    mutating func parseTopLevel() throws(JSONParseError) -> JSONDocument {
        skipWhitespace()
        guard !atEnd, bytes[index] == UInt8(ascii: "{") else { return .value(try parseDocument()) }
        let members = try parseMembers()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
        return .object(members)
    }

    private func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private var atEnd: Bool { index >= bytes.count }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("expected a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("expected a JSON value") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw failure("expected a JSON value") }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= JSONValue.maximumDepth else { throw failure("nested deeper than \(JSONValue.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        if members.capacity == 0 { members.reserveCapacity(8) }
        let first = members.count
        try collectMembers()
        var object = [String: JSONValue](minimumCapacity: members.count - first)
        for (key, value) in members[first...] { object[key] = value }
        members.removeSubrange(first...)
        return .object(object)
    }

    /// The object at `index`, as its members in order.
    private mutating func parseMembers() throws(JSONParseError) -> [(key: String, value: JSONValue)] {
        members.reserveCapacity(8)
        try collectMembers()
        // Nested objects took their members out again: what is left is this object's.
        defer { members = [] }
        return members
    }

    /// Appends the members of the object at `index` to `members` and moves past it.
    private mutating func collectMembers() throws(JSONParseError) {
        try enter()
        index += 1
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard !atEnd else { throw failure("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            } else {
                throw failure("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard !atEnd else { throw failure("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(array)
            } else {
                throw failure("expected ',' or ']' in an array")
            }
        }
    }

    /// A string at `index` (its opening quote). Runs without escapes are validated and copied
    /// as they are; escapes are decoded, `\u` surrogate pairs joined, lone surrogates refused.
    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        var runStart = index
        var scratch: [UInt8]? = nil
        var ascii = true
        while true {
            // Eight plain ASCII bytes at a time: no quote, backslash, control byte or non-ASCII.
            while index + 8 <= bytes.count, !JSONValue.needsLook(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
            }
            guard index < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                if var collected = scratch {
                    collected.append(contentsOf: run)
                    return try validated(collected, start: runStart)
                }
                // ASCII is valid UTF-8 as it is: skip the validator's generic path.
                return ascii ? String(decoding: run, as: UTF8.self) : try validated(run, start: runStart)
            }
            if byte >= 0x80 { ascii = false }
            if byte < 0x20 {
                throw failure("control character in a string; escape it")
            }
            if byte == UInt8(ascii: "\\") {
                var collected = scratch ?? []
                collected.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                try appendEscape(to: &collected)
                scratch = collected
                runStart = index
                continue
            }
            index += 1
        }
    }

    private func validated(_ utf8: some Collection<UInt8>, start: Int) throws(JSONParseError) -> String {
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError(offset: start, reason: "a string is not valid UTF-8")
        }
        return string
    }

    private mutating func appendEscape(to out: inout [UInt8]) throws(JSONParseError) {
        guard index < bytes.count else { throw failure("unterminated string") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure("a \\u escape is half of a surrogate pair")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a \\u escape is half of a surrogate pair") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a \\u escape is half of a surrogate pair")
            }
            out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
        default:
            index -= 1
            throw failure("invalid escape in a string")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var integral = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard !atEnd, isDigit(bytes[index]) else { throw failure("a number needs digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if !atEnd && isDigit(bytes[index]) { throw failure("a number must not start with 0") }
        } else {
            skipDigits()
        }
        if !atEnd && bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard !atEnd, isDigit(bytes[index]) else { throw failure("a number needs digits after '.'") }
            skipDigits()
        }
        if !atEnd && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            integral = false
            index += 1
            if !atEnd && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard !atEnd, isDigit(bytes[index]) else { throw failure("a number needs digits in its exponent") }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(offset: start, reason: "a number out of range")
        }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while index < bytes.count && isDigit(bytes[index]) { index += 1 }
    }
}
