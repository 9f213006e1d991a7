import ProxyCore
import Testing

/// `server.public_url`, `server.oauth` and `agents.NAME.oauth` (DESIGN.md sections 1 and 7).
@Suite("OAuth config")
struct OAuthConfigTests {
    static let oauthServer = """
        server:
          public_url: "https://mcp-proxy.example.com/mcp"
          oauth:
            issuers:
              - issuer: "https://sso.example.com/realms/agents"
              - issuer: "http://127.0.0.1:8180/realms/test"
                jwks_uri: "http://127.0.0.1:8180/realms/test/protocol/openid-connect/certs"
            scopes:
              logout_user: "keycloak-mcp:logout"
              list_tenants: "keycloak-mcp:read"
            leeway: 10s

        """

    @Test func issuersScopesAndAgentMatchesLoad() throws {
        let text = "version: 1\n" + Self.oauthServer + baseConfig.replacing("version: 1\n", with: "") + """

            agents:
              incident-bot:
                oauth:
                  issuer: "https://sso.example.com/realms/agents"
                  client_id: incident-bot
                  client_role: { client: keycloak-mcp-proxy, role: responder }
              both:
                token: a-long-enough-bearer-token
                oauth: { issuer: "http://127.0.0.1:8180/realms/test", subject: "0b7e6f9a" }
            """
        let loaded = try loadConfig(text)
        let server = loaded.config.server
        #expect(server.publicURL == "https://mcp-proxy.example.com/mcp")
        let oauth = try #require(server.oauth)
        #expect(oauth.issuers.map(\.issuer) == ["https://sso.example.com/realms/agents", "http://127.0.0.1:8180/realms/test"])
        #expect(oauth.issuers[1].jwksURI == "http://127.0.0.1:8180/realms/test/protocol/openid-connect/certs")
        #expect(oauth.scopes == [.logoutUser: "keycloak-mcp:logout", .listTenants: "keycloak-mcp:read"])
        #expect(oauth.leeway == .seconds(10))
        let agents = try #require(loaded.config.agents)
        #expect(agents[0].tokenSHA256 == nil)
        #expect(agents[0].oauth == AgentOAuthMatch(
            issuer: "https://sso.example.com/realms/agents", clientID: "incident-bot",
            clientRole: .init(client: "keycloak-mcp-proxy", role: "responder")))
        #expect(agents[1].tokenSHA256 != nil)
        #expect(agents[1].oauth?.subject == "0b7e6f9a")
        #expect(loaded.warnings.isEmpty)
    }

    @Test func oauthNeedsPublicURLAndHTTPSIssuers() {
        let text = """
            version: 1
            server:
              oauth:
                issuers:
                  - issuer: "http://sso.example.com/realms/agents"
                  - issuer: "not a url"
                leeway: 11m
            """ + "\n" + baseConfig.replacing("version: 1\n", with: "")
        #expect(configErrors(text) == [
            "config.yaml:4:5: server.oauth: server.oauth needs server.public_url: the URL of /mcp as clients reach it, which access tokens must name in aud",
            "config.yaml:5:17: server.oauth.issuers[0].issuer: the URL must use https (http is accepted on loopback addresses only); expected the issuer as its tokens' iss says, like \"https://sso.example.com/realms/agents\"",
            "config.yaml:6:17: server.oauth.issuers[1].issuer: \"not a url\" is not an absolute URL; expected the issuer as its tokens' iss says, like \"https://sso.example.com/realms/agents\"",
            "config.yaml:7:13: server.oauth.leeway: expected a duration from 0s to 10m, found \"11m\"",
        ])
    }

    @Test func agentOAuthNeedsAKnownIssuer() {
        let unknown = Self.oauthServer + baseConfig.replacing("version: 1\n", with: "") + """

            agents:
              bot:
                oauth: { issuer: "https://sso.example.com/realms/agent", client_id: bot }
            """
        #expect(configErrors("version: 1\n" + unknown) == [
            "config.yaml:24:22: agents.bot.oauth.issuer: \"https://sso.example.com/realms/agent\" is not one of server.oauth.issuers; did you mean \"https://sso.example.com/realms/agents\"?"
        ])
        let withoutServer = baseConfig + """

            agents:
              bot:
                oauth: { issuer: "https://sso.example.com/realms/agents", client_id: bot }
            """
        #expect(configErrors(withoutServer) == [
            "config.yaml:13:12: agents.bot.oauth: an agent's oauth section needs server.oauth, which names the issuers the proxy trusts"
        ])
        let nothing = baseConfig + """

            agents:
              bot:
                tools: [list_tenants]
            """
        #expect(configErrors(nothing) == ["config.yaml:12:3: agents.bot: missing required key \"token_sha256\" (or token, or oauth)"])
    }

    @Test func anIssuerOnlyMatchIsWarnedAbout() throws {
        let text = "version: 1\n" + Self.oauthServer + baseConfig.replacing("version: 1\n", with: "") + """

            agents:
              anyone:
                oauth: { issuer: "https://sso.example.com/realms/agents" }
            """
        let loaded = try loadConfig(text)
        #expect(loaded.warnings.map(\.description).contains { $0.contains("agents.anyone.oauth: only the issuer is given") })
    }

    @Test func agentMatchingNeedsEveryKeyGiven() {
        let match = AgentOAuthMatch(
            issuer: "https://sso/realms/a", clientID: "bot", role: "responder", clientRole: .init(client: "proxy", role: "logout"))
        let token = TokenIdentity(
            issuer: "https://sso/realms/a", subject: "s", authorizedParty: "bot", realmRoles: ["responder"],
            clientRoles: ["proxy": ["logout"]])
        #expect(match.matches(token))
        var other = token
        other.issuer = "https://sso/realms/b"
        #expect(!match.matches(other))
        other = token
        other.authorizedParty = "other-bot"
        #expect(!match.matches(other))
        other = token
        other.realmRoles = []
        #expect(!match.matches(other))
        other = token
        other.clientRoles = ["other": ["logout"]]
        #expect(!match.matches(other))
    }
}
