/// A JSON value: tool arguments in, structured results out. The MCP layer converts it to and
/// from its own value type, so the core knows no MCP.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// Compact JSON with keys sorted, so the same value always renders the same text.
    public var jsonText: String {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        writeJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the value as compact JSON with keys sorted (see ``jsonText``) as UTF-8.
    public func writeJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): out.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.writeJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            // The members sorted by key in a temporary buffer (on the stack when small), not a
            // new array, and written from there: no second lookup per key.
            withUnsafeTemporaryAllocation(of: (key: String, value: JSONValue).self, capacity: object.count) { buffer in
                var members = buffer
                _ = members.initialize(fromContentsOf: object)
                members.sort { $0.key < $1.key }
                for (index, member) in members.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    Self.writeString(member.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    member.value.writeJSON(to: &out)
                }
                members.deinitialize()
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal. Escapes what JSON requires, DEL, and U+2028/U+2029 (line breaks
    /// to JavaScript); runs of other bytes are copied as they are.
    static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        writeEscaped(string, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The JSON string literal of the UTF-8 text in `utf8` (see ``writeString(_:to:)``).
    public static func writeString(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        writeEscaped(utf8: utf8, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// `string` escaped as inside a JSON string literal, without the quotes.
    static func writeEscaped(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { writeEscaped(utf8: $0, to: &out) }
    }

    /// The UTF-8 text in `utf8` escaped as inside a JSON string literal, without the quotes.
    static func writeEscaped(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        var index = nextEscape(in: utf8, from: 0)
        while index < utf8.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            let width = escapeWidth(in: utf8, at: index)
            switch utf8[index] {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case let byte:
                let scalar: UInt32 = width == 3 ? (utf8[index + 2] == 0xA8 ? 0x2028 : 0x2029) : UInt32(byte)
                Self.writeUnicodeEscape(scalar, to: &out)
            }
            index += width
            runStart = index
            index = nextEscape(in: utf8, from: index)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
    }

    /// Whether `string` holds a byte that ``writeEscaped(_:to:)`` would not copy as it is.
    static func needsEscaping(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { nextEscape(in: $0, from: 0) < $0.count }
    }

    /// Where the next byte to escape is, from `index` on; `utf8.count` when there is none.
    /// Words of eight bytes that cannot hold one are skipped whole.
    private static func nextEscape(in utf8: UnsafeBufferPointer<UInt8>, from index: Int) -> Int {
        var index = index
        while index < utf8.count {
            while index + 8 <= utf8.count, !needsLook(UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
            guard index < utf8.count else { break }
            if escapeWidth(in: utf8, at: index) > 0 { return index }
            index += 1
        }
        return utf8.count
    }

    /// How many bytes at `index` are escaped as one: 1 for `"`, `\\`, a control byte or DEL,
    /// 3 for U+2028 and U+2029 (line breaks to JavaScript), 0 for a byte copied as it is.
    @inline(__always)
    private static func escapeWidth(in utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        switch utf8[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00..<0x20, 0x7F: 1
        case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9): 3
        default: 0
        }
    }

    /// Whether any of the eight bytes in `word` may need escaping: a control character, `"`,
    /// `\\`, DEL or anything past ASCII (looked at one by one; most of it is copied as is).
    @inline(__always)
    static func needsLook(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte's high bit is set in one of the terms when that byte is < 0x20, == '"', == '\\',
        // or >= 0x7F (`high`: 0x7F + 1 carries into the high bit, and >= 0x80 has it already).
        let below20 = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let high = word | (word &+ ones)
        return (below20 | isQuote | isBackslash | high) & highs != 0
    }

    private static func writeUnicodeEscape(_ scalar: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = UInt8((scalar >> UInt32(shift)) & 0xF)
            out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements) { _, last in last })
    }
    public init(nilLiteral: ()) { self = .null }
}
