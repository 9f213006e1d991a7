import Foundation
import Testing

/// A duplicate key is named and stepped over: `check` still lists every other problem in the
/// file, whether the repeat is in block style, in a flow mapping, or inside a mapping merged in.
@Suite("check: a duplicate key hides nothing else", .timeLimit(.minutes(1)))
struct CheckDuplicateKeyTests {
    /// Runs `check` on `text` and returns its exit status and the lines it printed on stderr,
    /// with the file's path shortened to `FILE`.
    private func check(_ text: String) async throws -> (status: Int32, lines: [String]) {
        try await withTemporaryDirectory { dir in
            let file = dir + "/bad.yaml"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file], environment: [:])
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n").map { $0.replacingOccurrences(of: file, with: "FILE") }
            return (result.status, lines)
        }
    }

    @Test func aBlockDuplicateAndFourOtherKindsOfErrorAreAllListed() async throws {
        let (status, lines) = try await check("""
            version: 1
            server:
              listen: "127.0.0.1:8080"
              idle_timout: 5s
            tenants:
              a:
                url: "https://sso.a.example.com"
                auth: { client_id: proxy, client_secret: "${UNSET_A_SECRET}" }
                default_realm: customers
                default_realm: staff
                pool: { max_connections: many }
                timeouts: { request: 2 }
            agents:
              bot: { token_sha256: "abc", tools: [logout_user] }
            """)
        #expect(status == 1)
        #expect(lines == [
            "FILE:4:3: server.idle_timout: unknown key \"idle_timout\"; did you mean \"idle_timeout\"?",
            "FILE:8:46: tenants.a.auth.client_secret: environment variable UNSET_A_SECRET is not set",
            "FILE:10:5: tenants.a.default_realm: duplicate key \"default_realm\"; it is first defined at line 9, column 5",
            "FILE:11:30: tenants.a.pool.max_connections: expected an integer, found \"many\"",
            "FILE:12:26: tenants.a.timeouts.request: expected a duration like \"10s\", found \"2\" (add a unit: ms, s, m or h)",
            "FILE:14:24: agents.bot.token_sha256: expected 64 hexadecimal characters, the SHA-256 of the token (printf %s \"$TOKEN\" | sha256sum)",
            "FILE: 6 errors; nothing would be served",
        ])
    }

    @Test func aDuplicateInAFlowMappingIsSteppedOverToo() async throws {
        let (status, lines) = try await check("""
            version: 1
            tenants:
              a:
                url: "https://sso.a.example.com"
                auth: { client_id: proxy, client_id: other, client_secret: s3cr3t-value }
                default_realm: customers
                timeouts: { request: ten }
            """)
        #expect(status == 1)
        #expect(lines == [
            "FILE:5:31: tenants.a.auth.client_id: duplicate key \"client_id\"; it is first defined at line 5, column 13",
            "FILE:7:26: tenants.a.timeouts.request: expected a duration like \"10s\", found \"ten\"",
            "FILE: 2 errors; nothing would be served",
        ])
    }

    @Test func aDuplicateInsideAMergedMappingIsReportedOnceWhereItStands() async throws {
        let (status, lines) = try await check("""
            version: 1
            x-defaults: &defaults
              default_realm: customers
              default_realm: staff
              timeouts: { request: 2s }
            tenants:
              a:
                <<: *defaults
                url: "https://sso.a.example.com"
                auth: { client_id: proxy, client_secret: s3cr3t-value }
              b:
                <<: *defaults
                url: "ftp://sso.b.example.com"
                auth: { client_id: proxy, client_secret: s3cr3t-value }
            """)
        #expect(status == 1)
        #expect(lines == [
            "FILE:4:3: x-defaults.default_realm: duplicate key \"default_realm\"; it is first defined at line 3, column 3",
            "FILE:13:10: tenants.b.url: the scheme must be http or https, found \"ftp\"",
            "FILE: 2 errors; nothing would be served",
        ])
    }
}
