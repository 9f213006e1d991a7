import ProxyCore
import Testing

/// `logout_user`'s result is written from its fields: the bytes must be those of the same
/// object written as a JSONValue (keys sorted), whatever the strings hold.
@Suite struct LogoutResultTests {
    private func written(_ result: LogoutResult) -> String {
        var out: [UInt8] = []
        result.writeJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func aLogoutWritesWhatItsObjectWrites() {
        let result = LogoutResult(tenant: "eu", realm: "customers", userID: "4f1c", username: nil)
        #expect(
            written(result)
                == #"{"dry_run":false,"message":"User 4f1c logged out from all sessions","realm":"customers","status":"success","tenant":"eu","user_id":"4f1c"}"#)
        #expect(written(result) == result.structured.jsonText)
    }

    @Test func aDryRunCountsSessionsInWordsAndNumbers() {
        for (count, noun) in [(0, "sessions"), (1, "session"), (12, "sessions")] {
            let result = LogoutResult(tenant: "us", realm: "staff", userID: "u", username: "bob", dryRunSessions: count)
            #expect(written(result) == result.structured.jsonText)
            #expect(result.structured["message"] == .string("Dry run: user u would be logged out from \(count) \(noun); nothing was changed"))
            #expect(result.structured["sessions"] == .int(count))
            #expect(result.structured["status"] == "dry_run")
        }
    }

    @Test func stringsThatNeedEscapingAreEscapedInTheMessageToo() throws {
        let result = LogoutResult(
            tenant: "t\"1", realm: "r\\2", userID: "id \"quoted\"\n\u{2028}é", username: "na\u{1}me", dryRunSessions: 2)
        let text = written(result)
        #expect(text == result.structured.jsonText)
        #expect(try JSONValue(parsing: Array(text.utf8)) == result.structured)
    }
}

extension LogoutResultTests {
    /// The text content is the structured content escaped as a JSON string: with plain strings,
    /// and with strings that need escaping, which are escaped twice.
    @Test func theTextFormIsTheJSONEscapedOnceMore() {
        let results = [
            LogoutResult(tenant: "eu", realm: "customers", userID: "4f1c", username: nil),
            LogoutResult(tenant: "eu", realm: "customers", userID: "4f1c-aaaa-bbbb-cccc", username: "bob", dryRunSessions: 1),
            LogoutResult(tenant: "t\"1", realm: "r\\2", userID: "id \"quoted\"\n\u{2028}é", username: "na\u{1}me", dryRunSessions: 3),
        ]
        for result in results {
            var text: [UInt8] = []
            result.writeJSONText(to: &text)
            let literal = JSONValue.string(result.structured.jsonText).jsonText
            #expect("\"" + String(decoding: text, as: UTF8.self) + "\"" == literal)
        }
    }
}
