import Foundation
import KeycloakEmulator
import NIOHTTP1
import ProxyCore
import Testing

extension EndToEnd {
    /// The built binary as ops run it: drained by SIGTERM, reloaded when its file changes, and
    /// scraped at /metrics.
    @Suite("serve in production", .timeLimit(.minutes(1)))
    struct OperationsTests {
        /// A config for the given emulated tenants (all with the test client), one agent.
        static func config(_ tenants: [(String, KeycloakEmulator)], extra: String = "") -> String {
            var text = "version: 1\nserver:\n  audit_log: \"-\"\ntenants:\n"
            for (name, emulator) in tenants {
                text += """
                      \(name):
                        url: "\(emulator.url)"
                        base_path: "\(emulator.configuration.basePath)"
                        auth: { client_id: \(proxyClientID), client_secret: "${TEST_KC_SECRET}" }
                        default_realm: customers
                        protected_users: [break-glass-admin]

                    """
            }
            text += """
                agents:
                  incident-bot:
                    token_sha256: "\(StdioTests.hex(TestAgent.incidentBot.token))"
                \(extra)
                """
            return text
        }

        /// Writes the config the way an editor or Kubernetes would: a new file renamed over it.
        static func replace(_ path: String, with text: String) throws {
            let temporary = path + ".new"
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else { throw TestFailure("rename failed") }
        }

        /// Starts `serve` on a free loopback port; returns the child and a client for it.
        static func serve(_ path: String) async throws -> (ChildProcess, MCPTestClient) {
            let child = try ChildProcess(
                "keycloak-mcp-proxy", ["serve", "--config", path, "--listen", "127.0.0.1:0", "--log-format", "json"],
                environment: ["TEST_KC_SECRET": proxySecret])
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                for line in child.standardError.split(separator: "\n") {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        object["message"] as? String == "listening", let address = object["address"] as? String
                    else { continue }
                    return (child, MCPTestClient(base: "http://\(address)"))
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            child.stop()
            throw TestFailure("serve did not start listening; stderr: \(child.standardError)")
        }

        /// Serves a config for one seeded tenant `eu` from the built binary; `body` gets the
        /// emulator, the child and a client. The child is stopped and the client shut down after.
        static func withServedTenant(_ body: (KeycloakEmulator, ChildProcess, MCPTestClient) async throws -> Void) async throws {
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                let path = directory.appendingPathComponent("config.yaml").path
                try config([("eu", eu)]).write(toFile: path, atomically: true, encoding: .utf8)
                let (child, client) = try await serve(path)
                defer { child.stop() }
                do {
                    try await body(eu, child, client)
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }

        static func tenantNames(_ client: MCPTestClient) async throws -> [String] {
            let result = try await client.callTool("list_tenants", [:], token: TestAgent.incidentBot.token)
            return result["structuredContent"]["tenants"].array.compactMap { $0["name"].string }
        }

        @Test func sigtermFinishesTheCallInFlightThenExits0() async throws {
            try await Self.withServedTenant { eu, child, client in
                eu.stall(.logout)
                let call = Task {
                    try await client.callTool("logout_user", ["username": "alice"], token: TestAgent.incidentBot.token)
                }
                while eu.stalledCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
                child.terminate()
                // The drain has begun once the listener refuses new connections; only then is the
                // call let go. A proxy that exited instead could not answer it.
                let port = try #require(URLComponents(string: client.base)?.port)
                #expect(await eventually(within: 15) { (try? RawHTTPConnection(port: port)) == nil }, "still accepting after SIGTERM")
                eu.releaseStalled()
                let result = try await call.value
                #expect(result["isError"].bool == false)
                #expect(result["structuredContent"]["status"].string == "success")
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
            }
        }

        @Test func aChangedFileIsServedAndABrokenOneIsNot() async throws {
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await withTwoTenants { eu, us in
                let path = directory.appendingPathComponent("config.yaml").path
                try Self.config([("eu", eu)]).write(toFile: path, atomically: true, encoding: .utf8)
                let (child, client) = try await Self.serve(path)
                defer { child.stop() }
                #expect(try await Self.tenantNames(client) == ["eu"])

                // Add a tenant: the next calls see it, and reach it.
                try Self.replace(path, with: Self.config([("eu", eu), ("us", us)]))
                var names: [String] = []
                for _ in 0..<100 where names.count < 2 {
                    try await Task.sleep(for: .milliseconds(100))
                    names = try await Self.tenantNames(client)
                }
                #expect(names == ["eu", "us"])
                let logout = try await client.callTool("logout_user", ["username": "bob", "tenant": "us"], token: TestAgent.incidentBot.token)
                #expect(logout["structuredContent"]["user_id"].string == "us-bob")

                // A broken file: the old config keeps serving, and the error says where.
                try Self.replace(path, with: Self.config([("eu", eu), ("us", us)]).replacingOccurrences(of: "default_realm: customers", with: "default_realm: [customers]"))
                var ready = JSON(text: "{}")
                for _ in 0..<100 where ready["last_reload"].string != "failed" {
                    try await Task.sleep(for: .milliseconds(100))
                    ready = try await client.send(.GET, path: "/readyz", headers: []).json
                }
                #expect(ready["last_reload"].string == "failed")
                #expect(try await Self.tenantNames(client) == ["eu", "us"])
                #expect(child.standardError.contains("\(path):9:20: tenants.eu.default_realm: expected a string, found a sequence"))
                #expect(!child.standardError.contains(proxySecret))
                try await client.shutdown()
            }
        }

        @Test func metricsCountTheCallsMade() async throws {
            try await Self.withServedTenant { _, _, client in
                let token = TestAgent.incidentBot.token
                _ = try await client.callTool("logout_user", ["username": "alice"], token: token)
                _ = try await client.callTool("logout_user", ["username": "bob"], token: token)
                _ = try await client.callTool("logout_user", ["username": "bob", "realm": "master"], token: token)

                let text = try await client.send(.GET, path: "/metrics", headers: []).body
                func sample(_ name: String, _ labels: [String: String]) -> Double? { metricSample(text, name, labels) }
                #expect(sample("keycloak_mcp_proxy_tool_calls_total", ["tenant": "eu", "tool": "logout_user", "outcome": "ok"]) == 2)
                #expect(sample("keycloak_mcp_proxy_policy_denials_total", ["reason": "realm_not_allowed"]) == 1)
                #expect(sample("keycloak_mcp_proxy_token_fetches_total", ["tenant": "eu"]) == 1)
                #expect(sample("keycloak_mcp_proxy_calls_in_flight", ["tenant": "eu"]) == 0)
                #expect(!text.contains(proxySecret))
            }
        }
    }
}
