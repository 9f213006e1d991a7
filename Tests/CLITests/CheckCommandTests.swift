import Foundation
import Testing

@Suite("keycloak-mcp-proxy check", .timeLimit(.minutes(1)))
struct CheckCommandTests {
    let exampleEnvironment = [
        "KC_EU_SECRET": "eu-secret-value-1", "KC_US_SECRET": "us-secret-value-2",
        "KC_LEGACY_PASSWORD": "legacy-password-3", "HELPDESK_AGENT_TOKEN": "helpdesk-token-value-4",
    ]

    @Test func exampleConfigIsOkAndSummarised() async throws {
        let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", packageRoot + "/config.example.yaml"], environment: exampleEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "ok: \(packageRoot)/config.example.yaml: 3 tenants, 2 agents")
        #expect(lines.dropFirst().first == "  server: listen 127.0.0.1:8080; audit to standard error; idle 1m, response 2m, body at most 1 MiB, 1024 connections")
        #expect(lines.filter { $0.hasPrefix("  tenant ") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("  agent ") }.count == 2)
        #expect(lines.contains { $0.hasPrefix("  tenant legacy: http://keycloak-legacy.internal:8080/auth; token from realm master by password") })
        for secret in exampleEnvironment.values {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
    }

    @Test func brokenConfigListsEveryErrorAndExits1() async throws {
        try await withTemporaryDirectory { dir in try await brokenConfig(in: dir) }
    }

    private func brokenConfig(in dir: String) async throws {
        let file = dir + "/config.yaml"
        try """
            version: 1
            tenants:
              eu:
                url: "https://sso.eu.example.com/auth"
                auth: { client_id: proxy, client_secret: "${KC_EU_SECRET}" }
                default_realm: customers
                timeouts: { request: ten }
            agents:
              bot: { token: "${BOT_TOKEN}", tools: [logout] }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file], environment: ["BOT_TOKEN": "bot-token-secret-value"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").map(String.init) == [
            "\(file):4:10: tenants.eu.url: the URL must not have a path; put \"/auth\" in base_path instead",
            "\(file):5:46: tenants.eu.auth.client_secret: environment variable KC_EU_SECRET is not set",
            "\(file):7:26: tenants.eu.timeouts.request: expected a duration like \"10s\", found \"ten\"",
            "\(file):9:41: agents.bot.tools[0]: unknown tool \"logout\"; did you mean \"logout_user\"?",
            "\(file): 4 errors; nothing would be served",
        ])
        #expect(!result.stderr.contains("bot-token-secret-value"))
    }

    @Test func missingConfigFileExits1WithTheReason() async throws {
        let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", "/nonexistent/config.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("/nonexistent/config.yaml:1:1: cannot read the config file: No such file or directory\n"))
    }
}
