import Foundation
import ProxyCore
import Testing

/// What `logout_user` tells the agent, as structured content and as its text.
@Suite struct LogoutResultTests {
    @Test func aLogoutSaysWhoWasLoggedOut() {
        let result = LogoutResult(tenant: "eu", realm: "customers", userID: "4f1c", username: nil)
        #expect(
            ToolOutcome.loggedOut(result).text
                == #"{"dry_run":false,"message":"User 4f1c logged out from all sessions","realm":"customers","status":"success","tenant":"eu","user_id":"4f1c"}"#)
    }

    @Test func aDryRunCountsSessionsInWordsAndNumbers() {
        for (count, noun) in [(0, "sessions"), (1, "session"), (12, "sessions")] {
            let result = LogoutResult(tenant: "us", realm: "staff", userID: "u", username: "bob", dryRunSessions: count)
            #expect(result.structured["message"] == .string("Dry run: user u would be logged out from \(count) \(noun); nothing was changed"))
            #expect(result.structured["sessions"] == .int(count))
            #expect(result.structured["status"] == "dry_run")
        }
    }

    @Test func stringsThatNeedEscapingRoundTripThroughTheText() throws {
        let result = LogoutResult(
            tenant: "t\"1", realm: "r\\2", userID: "id \"quoted\"\n\u{2028}é", username: "na\u{1}me", dryRunSessions: 2)
        let text = ToolOutcome.loggedOut(result).text
        #expect(try JSONCoding.decode(JSONValue.self, from: Data(text.utf8)) == result.structured)
    }
}
