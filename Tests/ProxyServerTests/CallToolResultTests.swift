import Foundation
import ProxyCore
@testable import ProxyServer
import Testing

/// A tool call's reply is written from typed values; it must be, byte for byte, the object the
/// contract describes: `content` holding the structured content as text, `structuredContent`,
/// `isError`, and in a 2026-07-28 reply `resultType` and the server's `_meta`.
@Suite struct CallToolResultTests {
    static let outcomes: [ToolOutcome] = [
        .loggedOut(LogoutResult(tenant: "eu", realm: "customers", userID: "2f1c-a", username: nil)),
        .loggedOut(LogoutResult(tenant: "eu", realm: "customers", userID: "2f1c-a", username: "alice \"ops\" / ü")),
        .loggedOut(LogoutResult(tenant: "us", realm: "partner-acme", userID: "u1", username: "bob", dryRunSessions: 1)),
        .loggedOut(LogoutResult(tenant: "us", realm: "partner-acme", userID: "u1", username: "bob", dryRunSessions: 0)),
        .failure(ToolFailure(.userNotFound, "User alice not found in realm customers", tenant: "eu", realm: "customers", upstreamStatus: 404)),
        .success(["tenants": [["name": "eu", "default": true]], "count": 1]),
    ]

    /// The reply as the contract spells it, built as a JSON value and encoded the proxy's one way.
    private func expected(id: JSONValue, _ outcome: ToolOutcome, modern: Bool) -> Data {
        var result: [String: JSONValue] = [
            "content": [["type": "text", "text": .string(outcome.structuredContent.jsonText)]],
            "structuredContent": outcome.structuredContent,
            "isError": .bool(outcome.isError),
        ]
        if modern {
            result["resultType"] = "complete"
            result["_meta"] = [ProtocolRevision.serverInfoKey: ToolServer.serverInfo]
        }
        return JSONCoding.encode(JSONValue.object(["id": id, "jsonrpc": "2.0", "result": .object(result)]))
    }

    @Test("each outcome, in each era, as the contract's object", arguments: outcomes)
    func eachOutcomeIsTheContractsObject(_ outcome: ToolOutcome) {
        for (id, modern) in [(JSONValue.int(7), false), (.string("req-1"), true)] {
            let written = ToolServer.encode(id: id, result: .toolCall(outcome), modern: modern)
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected(id: id, outcome, modern: modern), as: UTF8.self))
        }
    }

    @Test("a logout's text, written from the typed result, is its structured content, keys sorted")
    func aLogoutsTextIsItsStructuredContent() {
        for case .loggedOut(let result) in Self.outcomes {
            #expect(ToolOutcome.loggedOut(result).text == result.structured.jsonText)
        }
    }
}
