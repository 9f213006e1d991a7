import ProxyCore
import Testing

@testable import ProxyServer

/// A tools/call result written on the hot path is the same JSON as the result built as a value.
@Suite struct CallToolResultTests {
    private func written(_ outcome: ToolOutcome) -> String {
        var out: [UInt8] = []
        outcome.writeCallToolResult(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func aLogoutIsWrittenAsItsValueIs() {
        let outcomes: [ToolOutcome] = [
            .loggedOut(LogoutResult(tenant: "eu", realm: "customers", userID: "4f1c", username: nil)),
            .loggedOut(LogoutResult(tenant: "t\"1", realm: "r\\2", userID: "id \"q\"\n\u{2028}é", username: "b\u{1}", dryRunSessions: 1)),
            .success(["tenants": ["eu"]]),
            .failure(ToolFailure(.userNotFound, "no user \"x\"", tenant: "eu", realm: "customers")),
        ]
        for outcome in outcomes {
            #expect(written(outcome) == outcome.callToolResult.jsonText)
        }
    }
}
