import Foundation
import ProxyCore
import Testing

/// JSON in and out goes through Foundation's coders; these check what the proxy relies on.
@Suite("JSON values through Foundation's coders")
struct JSONValueTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONCoding.decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func aJSONRPCRequestDecodesToItsValues() throws {
        let value = try parse(#" {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"al\u00efce","dry_run":true,"n":null,"x":[1,-2.5e3,0]}}} "#)
        #expect(value["id"] == .int(7))
        #expect(value["method"] == "tools/call")
        let arguments = value["params"]?["arguments"]
        #expect(arguments?["username"] == "alïce")
        #expect(arguments?["dry_run"] == .bool(true))
        #expect(arguments?["n"] == .null)
        #expect(arguments?["x"] == .array([.int(1), .int(-2500), .int(0)]))
    }

    @Test func stringsDecodeEveryEscape() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\ud83d\ude00 and \u00e9 and é""#) == .string("😀 and é and é"))
    }

    @Test func malformedJSONIsRefused() {
        for bad in ["", "{", "[1 2]", "tru", #""abc"#, "{} {}", "{'a':1}", "01", "NaN"] {
            #expect(throws: (any Error).self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func nestingDeeperThanTheLimitIsRefused() throws {
        let limit = JSONValue.maximumDepth
        #expect(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) != .null)
        let tooDeep = String(repeating: "[", count: limit + 2) + String(repeating: "]", count: limit + 2)
        #expect(throws: (any Error).self) { try parse(tooDeep) }
        #expect(throws: (any Error).self) { try parse(String(repeating: #"{"a":"#, count: 100_000)) }
    }

    @Test func writingIsCompactWithSortedKeysAndRoundTrips() throws {
        let text = "quote \" backslash \\ newline \n tab \t nul \u{0} del \u{7F} slash / é 😀"
        let written = JSONValue.string(text).jsonText
        #expect(!written.contains("\n"))
        #expect(!written.contains(#"\/"#))
        #expect(try parse(written) == .string(text))
        let object: JSONValue = ["b": [1, .double(2.5), true, nil], "a": ["z": "y"], "": ""]
        #expect(object.jsonText == #"{"":"","a":{"z":"y"},"b":[1,2.5,true,null]}"#)
        #expect(JSONValue.double(.infinity).jsonText == "null")
    }
}
