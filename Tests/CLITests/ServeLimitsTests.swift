import Foundation
import Testing

/// The listener's limits set in the config file's `server` section reach the running `serve`:
/// an idle connection is closed after `idle_timeout`, a body over `max_body_bytes` gets 413.
/// The tenant's Keycloak does not exist: neither check talks to it.
@Suite("server limits from the config file", .timeLimit(.minutes(1)))
struct ServeLimitsTests {
    static let config = """
        version: 1
        server:
          idle_timeout: 300ms
          response_timeout: 30s
          max_body_bytes: 2048
        tenants:
          eu:
            url: "http://127.0.0.1:9"
            auth: { client_id: keycloak-mcp-proxy, client_secret: "${EU_SECRET}" }
            default_realm: customers

        """

    @Test func idleTimeoutAndBodyLimitApply() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/config.yaml"
            try Self.config.write(toFile: file, atomically: true, encoding: .utf8)
            let proxy = try ServedProxy(config: file, environment: ["EU_SECRET": "s3cret-value"])
            defer { proxy.stop() }
            let port = try await proxy.port()

            // The default is 60 s: closed well before that means the config's 300ms applied.
            let closedAfter = try #require(try await LoopbackHTTP.timeUntilClosed(port: port, limit: .seconds(20)))
            #expect(closedAfter >= .milliseconds(250) && closedAfter < .seconds(10), "closed after \(closedAfter)")

            let headers = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]
            let small = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tenants","arguments":{}}}"#
            let fine = try await LoopbackHTTP.request(port: port, "POST", "/mcp", headers: headers, body: small)
            #expect(fine.status == 200)
            let padding = String(repeating: " ", count: 3000)
            let large = try await LoopbackHTTP.request(port: port, "POST", "/mcp", headers: headers, body: padding + small)
            #expect(large.status == 413)
            #expect(large.body.contains("at most 2048 bytes"), "\(large.body)")

            #expect(try await proxy.terminate(within: .seconds(15)) == 0, "\(proxy.standardError)")
        }
    }
}
