import Foundation
import ProxyCore
import Testing

@Suite("JSON parsing and writing")
struct JSONValueTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8))
    }

    private func failure(_ text: String) -> JSONParseError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func aJSONRPCRequestParsesToItsValues() throws {
        let value = try parse(#" {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"al\u00efce","dry_run":true,"n":null,"x":[1,-2.5e3,0]}}} "#)
        #expect(value["id"] == .int(7))
        #expect(value["method"] == "tools/call")
        let arguments = value["params"]?["arguments"]
        #expect(arguments?["username"] == "alïce")
        #expect(arguments?["dry_run"] == .bool(true))
        #expect(arguments?["n"] == .null)
        #expect(arguments?["x"] == .array([.int(1), .double(-2500), .int(0)]))
    }

    @Test func stringsDecodeEveryEscape() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\ud83d\ude00 and \u00e9 and é""#) == .string("😀 and é and é"))
        #expect(try parse(#""""#) == .string(""))
    }

    @Test func numbersKeepIntegersExactAndRefuseWhatJSONDoesNot() throws {
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("-9223372036854775808") == .int(Int.min))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try parse("1.0") == .double(1))
        #expect(try parse("1E2") == .double(100))
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "1e+", "0x10", "NaN", "Infinity", "1e999"] {
            #expect(failure(bad) != nil, "\(bad)")
        }
    }

    @Test func malformedInputIsRefusedWithItsPosition() {
        let cases: [(String, Int)] = [
            ("", 0), ("{", 1), (#"{"a":1"#, 6), (#"{"a" 1}"#, 5), (#"{"a":1,}"#, 7), ("[1,]", 3), ("[1 2]", 3),
            ("tru", 0), ("nul", 0), (#""abc"#, 4), ("\"a\u{1}\"", 2), (#""\x""#, 2), (#""\u12""#, 3),
            (#""\ud83d""#, 7), (#""\ude00""#, 7), ("{} {}", 3), ("{'a':1}", 1),
        ]
        for (text, offset) in cases {
            let error = failure(text)
            #expect(error?.offset == offset, "\(text): \(String(describing: error))")
        }
    }

    @Test func invalidUTF8IsRefusedNotRepaired() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0xEF, 0xBB, 0xBF, 0x7B, 0x7D]) }
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWithoutRecursingIntoIt() throws {
        let limit = JSONValue.maximumDepth
        #expect(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) != .null)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep)?.reason.contains("nested deeper") == true)
        #expect(failure(String(repeating: #"{"a":"#, count: 100_000)) != nil)
    }

    @Test func writingEscapesWhatJSONAndJavaScriptNeedAndRoundTrips() throws {
        let text = "quote \" backslash \\ newline \n tab \t nul \u{0} del \u{7F} ls \u{2028} ps \u{2029} é 😀"
        let written = JSONValue.string(text).jsonText
        #expect(written == #""quote \" backslash \\ newline \n tab \t nul \u0000 del \u007f ls \u2028 ps \u2029 é 😀""#)
        #expect(try parse(written) == .string(text))
        let object: JSONValue = ["b": [1, .double(2.5), true, nil], "a": ["z": "y"], "": ""]
        #expect(object.jsonText == #"{"":"","a":{"z":"y"},"b":[1,2.5,true,null]}"#)
        #expect(try parse(object.jsonText) == object)
    }

    /// The writer looks at eight bytes at a time: a byte that needs escaping is found wherever
    /// it sits in a word, and at a string's unaligned tail.
    @Test func everyByteThatNeedsEscapingIsFoundAtEveryPosition() throws {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{0}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        // U+2027 and U+202A share U+2028's first two bytes and are copied as they are.
        let specials: [Unicode.Scalar] = [
            "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "\u{2027}", "\u{202A}", "é", "😀", " ", "~",
        ]
        for length in 0...19 {
            for position in 0..<max(length, 1) {
                for special in specials {
                    var scalars = Array(repeating: Unicode.Scalar("a"), count: length)
                    if length > 0 { scalars[position] = special }
                    var text = ""
                    text.unicodeScalars.append(contentsOf: scalars)
                    let written = JSONValue.string(text).jsonText
                    #expect(written == reference(text), "\(length) \(position) \(special.value)")
                    #expect(try parse(written) == .string(text))
                }
            }
        }
    }

    /// The parser skips plain ASCII eight bytes at a time: a raw control byte, invalid UTF-8 or
    /// a missing closing quote is still refused wherever it sits.
    @Test func badBytesInAStringAreRefusedAtEveryPosition() throws {
        for length in 1...19 {
            let plain = [UInt8](repeating: UInt8(ascii: "x"), count: length)
            #expect(try JSONValue(parsing: [0x22] + plain + [0x22]) == .string(String(repeating: "x", count: length)))
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22] + plain) }
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x0A, 0x1F, 0xFF] {
                    var text = plain
                    text[position] = bad
                    #expect(throws: JSONParseError.self, "\(length) \(position) \(bad)") { try JSONValue(parsing: [0x22] + text + [0x22]) }
                }
            }
        }
    }

    @Test func parsingAgreesWithFoundationOnGeneratedDocuments() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let text = value.jsonText
            #expect(try parse(text) == value, "\(text)")
            // The envelope's parse agrees: a top-level object as its members, anything else whole.
            let document = try Array(text.utf8).withUnsafeBytes { bytes throws(JSONParseError) in try JSONValue.parseDocument(bytes) }
            switch document {
            case .object(let members): #expect(JSONValue.object(Dictionary(members, uniquingKeysWith: { $1 })) == value, "\(text)")
            case .value(let whole): #expect(whole == value, "\(text)")
            }
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            let again = try JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys, .fragmentsAllowed])
            #expect(try JSONValue(parsing: again) == value, "\(text)")
        }
    }

    private static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> JSONValue {
        let pick = Int.random(in: depth > 3 ? 0...4 : 0...6, using: &generator)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &generator))
        case 3: return .double(Double(Int.random(in: -1000...1000, using: &generator)) + 0.5)
        case 4:
            let alphabet = Array("aé\"\\\n/😀 \u{1}\u{2028}z")
            return .string(String((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        case 5:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0...4, using: &generator) {
                object["k\(index)\(Bool.random(using: &generator) ? "é" : "")"] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }
}
