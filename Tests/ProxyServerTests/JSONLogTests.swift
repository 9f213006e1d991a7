import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

extension EndToEnd {
    /// `--log-format json`: every line on standard error is one JSON object, and a tool call's
    /// log lines carry the request id its audit record has.
    @Suite("serve --log-format json", .timeLimit(.minutes(1)))
    struct JSONLogTests {
        @Test func everyLineIsJSONAndACallsLinesShareItsRequestID() async throws {
            // The audit goes to standard error too, interleaved with the logs.
            try await StdioTests.withStdioProxy(
                agent: "incident-bot", arguments: ["--log-level", "debug", "--log-format", "json"],
                edit: { $0.replacingOccurrences(of: "audit_log: audit.jsonl", with: "audit_log: \"-\"") }
            ) { _, child, _ in
                try child.send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"log-test","version":"1"}}}"#)
                _ = try await child.nextLine()
                try child.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"alice","realm":"master"}}}"#)
                let denied = JSON(text: try await child.nextLine())
                #expect(denied["result"]["structuredContent"]["error"]["code"].string == "policy_denied")
                try child.closeInput()
                #expect(try await child.exitStatus(within: .seconds(15)) == 0)

                let lines = child.standardError.split(separator: "\n").map(String.init)
                let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(!lines.isEmpty)
                #expect(objects.count == lines.count, "not JSON: \(lines.filter { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil })")
                let audit = try #require(objects.first { $0["tool"] as? String == "logout_user" && $0["decision"] != nil })
                let requestID = try #require(audit["request_id"] as? String)
                let failed = try #require(objects.first { $0["message"] as? String == "tool call failed" })
                #expect(failed["request_id"] as? String == requestID)
                #expect(failed["level"] as? String == "debug")
                #expect(objects.contains { $0["message"] as? String == "serving MCP on stdio" && $0["request_id"] == nil })
                #expect(!child.standardError.contains(proxySecret))
            }
        }
    }
}
