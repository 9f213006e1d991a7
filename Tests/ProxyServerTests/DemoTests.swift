import Foundation
import ProxyCore
import Testing

extension EndToEnd {
    /// `keycloak-mcp-proxy demo`, run as a newcomer would: no Keycloak anywhere.
    @Suite("demo", .timeLimit(.minutes(1)))
    struct DemoTests {
        @Test("demo serves emulated tenants, its printed curl call works, and Ctrl-C stops it cleanly")
        func demo() async throws {
            let child = try ChildProcess("keycloak-mcp-proxy", ["demo", "--port", "0"])
            defer { child.stop() }
            var banner: [String] = []
            while !(banner.last ?? "").hasPrefix("Audit records go to standard error") {
                banner.append(try await child.nextLine())
            }
            let endpoint = try #require(banner.first { $0.hasPrefix("MCP endpoint:") })
            let url = try #require(endpoint.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init))
            #expect(url.hasSuffix("/mcp"))
            let configLine = try #require(banner.first { $0.hasPrefix("Config:") })
            let configPath = String(configLine.dropFirst("Config:".count).trimmingCharacters(in: .whitespaces))
            #expect(FileManager.default.fileExists(atPath: configPath))
            #expect(banner.contains { $0.contains("curl -s \(url)") })
            #expect(banner.contains { $0.contains(#""url": "\#(url)""#) })
            #expect(banner.contains { $0.contains("/auth") })

            let client = MCPTestClient(base: String(url.dropLast("/mcp".count)))
            do {
                let result = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: nil)
                #expect(result["structuredContent"]["status"].string == "success")
                let legacy = try await client.callTool("logout_user", ["tenant": "legacy", "username": "carol"], token: nil)
                #expect(legacy["structuredContent"]["status"].string == "success")
                let refused = try await client.callTool("logout_user", ["tenant": "eu", "username": "break-glass-admin"], token: nil)
                #expect(refused["structuredContent"]["error"]["code"].string == "protected_user")
                let denied = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice", "realm": "master"], token: nil)
                #expect(denied["structuredContent"]["error"]["code"].string == "policy_denied")
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()

            child.interrupt()
            #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
            #expect(!FileManager.default.fileExists(atPath: configPath))
        }
    }
}
