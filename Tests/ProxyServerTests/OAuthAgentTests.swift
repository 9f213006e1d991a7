import Foundation
import KeycloakEmulator
import NIOHTTP1
import ProxyCore
import ProxyServer
import Testing

extension EndToEnd {
    /// Agents that sign in with access tokens from a Keycloak realm (DESIGN.md sections 4 and 7),
    /// over real loopback HTTP: an emulator of its own is the issuer (realm `agents`, keys no
    /// other emulator has), the seeded `eu` and `us` emulators are the tenants.
    @Suite("OAuth agents")
    struct OAuthAgentTests {
        static let realm = "agents"
        static let logoutScope = "keycloak-mcp:logout"
        /// Every agent name of ``config(_:issuer:scopes:)``: no 401 or 403 body may name one.
        static let agentNames = ["incident-bot", "oauth-responder", "role-responder", "oauth-reader"]
        static let logoutAliceParams: [String: JSONValue] = ["name": "logout_user", "arguments": ["tenant": "eu", "username": "alice"]]
        static let logoutAlice = JSONValue.object(logoutAliceParams)

        // MARK: Fixture

        /// Realm `agents` of the issuer (RS256 keys and an ES256 one), and its agents' clients; each has an audience mapper
        /// naming the proxy's public URL.
        /// - `incident-agent`: scopes `keycloak-mcp:logout profile email`, client role
        ///   `keycloak-mcp/responder`; matches `oauth-responder` (client id) and `role-responder`
        ///   (client role), so the first one in file order must win;
        /// - `role-agent`: only the client role, so `role-responder`;
        /// - `reader-agent` (`oauth-reader`): Keycloak's default scopes, `keycloak-mcp:logout`
        ///   only when asked for;
        /// - `stranger`: a valid token no agent claims.
        static func seedIssuer(_ issuer: KeycloakEmulator) throws {
            issuer.addRealm(EmulatedRealm(name: realm, ecSigningKey: true))
            try issuer.addClient(
                .agent(
                    "incident-agent", secret: "incident-secret", defaultScopes: [logoutScope, "profile", "email"],
                    audience: [oauthPublicURL], clientRoles: ["keycloak-mcp": ["responder"]]),
                realm: realm)
            try issuer.addClient(
                .agent(
                    "role-agent", secret: "role-secret", defaultScopes: [logoutScope], audience: [oauthPublicURL],
                    clientRoles: ["keycloak-mcp": ["responder"]]),
                realm: realm)
            var reader = EmulatedClient.agent("reader-agent", secret: "reader-secret", audience: [oauthPublicURL])
            reader.optionalScopes.append(logoutScope)
            try issuer.addClient(reader, realm: realm)
            try issuer.addClient(
                .agent("stranger", secret: "stranger-secret", defaultScopes: [logoutScope], audience: [oauthPublicURL]), realm: realm)
        }

        /// Runs `body` with a seeded issuer whose RSA keys are its own.
        static func withIssuer<T>(_ body: (KeycloakEmulator, String) async throws -> T) async throws -> T {
            try await KeycloakEmulator.withRunning(.init(issuerKeys: .unique)) { issuer in
                try seedIssuer(issuer)
                return try await body(issuer, issuer.issuer(realm: realm))
            }
        }

        /// The static-token agent `incident-bot` first, then the OAuth ones in this order:
        /// `oauth-responder` (client id `incident-agent`; eu only), `role-responder` (client role
        /// `keycloak-mcp/responder`; logout on us, realm customers), `oauth-reader` (client id
        /// `reader-agent`; everything).
        static func agents(issuer: String) -> [AgentConfig] {
            [
                TestAgent.incidentBot.config,
                AgentConfig(
                    name: "oauth-responder", tokenSHA256: nil, oauth: AgentOAuthMatch(issuer: issuer, clientID: "incident-agent"),
                    tools: [.logoutUser, .getUserSessions, .listTenants], tenants: ["eu": nil]),
                AgentConfig(
                    name: "role-responder", tokenSHA256: nil,
                    oauth: AgentOAuthMatch(issuer: issuer, clientRole: .init(client: "keycloak-mcp", role: "responder")),
                    tools: [.logoutUser, .listTenants], tenants: ["us": [RealmPattern("customers")]]),
                AgentConfig(name: "oauth-reader", tokenSHA256: nil, oauth: AgentOAuthMatch(issuer: issuer, clientID: "reader-agent")),
            ]
        }

        /// `tenants` behind a proxy whose public URL is ``oauthPublicURL`` and whose one issuer is `issuer`.
        static func config(_ tenants: [TenantConfig], issuer: String, scopes: [ToolName: String] = [:]) -> ProxyConfig {
            var config = proxyConfig(tenants, agents: nil)
            config.agents = agents(issuer: issuer)
            config.server.publicURL = oauthPublicURL
            config.server.oauth = OAuthSettings(issuers: [.init(issuer: issuer)], scopes: scopes)
            return config
        }

        /// The payload of a JWT, unverified.
        static func claims(_ token: String) -> JSON {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return JSON(nil) }
            var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            return JSON(text: String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self))
        }

        /// A 401 as DESIGN.md section 4 says: the metadata URL first in the challenge, and
        /// `error="invalid_token"` exactly when a token was sent; a JSON-RPC error naming no agent.
        static func expectUnauthorized(
            _ reply: HTTPReply, tokenSent: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(reply.status == 401, "\(what): HTTP \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
            let challenge = reply.headers["WWW-Authenticate"]
            #expect(challenge.count == 1, "\(what): \(challenge)", sourceLocation: sourceLocation)
            let value = challenge.first ?? ""
            #expect(value.hasPrefix("Bearer resource_metadata=\"\(oauthMetadataURL)\""), "\(what): \(value)", sourceLocation: sourceLocation)
            #expect(value.contains("error=\"invalid_token\"") == tokenSent, "\(what): \(value)", sourceLocation: sourceLocation)
            #expect(reply.json["error"]["code"].int == -32600, "\(what): \(reply.body)", sourceLocation: sourceLocation)
            #expect(!reply.json["result"].exists, "\(what): \(reply.body)", sourceLocation: sourceLocation)
            for name in agentNames {
                #expect(!reply.body.contains(name), "\(what): \(reply.body)", sourceLocation: sourceLocation)
            }
        }


        /// The status of `tools/list` for each token, sent all at once.
        static func listStatuses(_ client: MCPTestClient, _ tokens: [String]) async throws -> [Int] {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens { group.addTask { try await client.rpc("tools/list", token: token).status } }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
        }

        // MARK: 1. A valid token

        @Test(
            "a client_credentials token logs a user out; the tenant gets the proxy's admin token, never the agent's; the audit names the agent and the token's sub, azp and jti",
            .timeLimit(.minutes(1)))
        func validTokenLogsOut() async throws {
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let auditPath = directory.appendingPathComponent("audit.jsonl").path
            let audit = try AuditLog(.file(auditPath))
            try await Self.withIssuer { issuer, issuerURL in
                try await withTwoTenants { eu, us in
                    // eu is reached through a forwarder that keeps the headers the proxy sends it.
                    try await RecordingForwarder.with(upstream: eu.url) { forwarder in
                        let config = Self.config([tenantConfig("eu", eu, url: forwarder.url), tenantConfig("us", us)], issuer: issuerURL)
                        try await withOAuthProxy(config, audit: audit) { client, _ in
                            let token = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                            let claims = Self.claims(token)
                            let sub = try #require(claims["sub"].string)
                            let jti = try #require(claims["jti"].string)
                            #expect(claims["azp"].string == "incident-agent")
                            #expect(claims["aud"].string == oauthPublicURL)

                            let result = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: token)
                            #expect(result["isError"].bool == false, "\(result)")
                            #expect(result["structuredContent"]["status"].string == "success", "\(result)")
                            #expect(try onlineSessions(eu, "eu-alice") == 0)
                            #expect(try onlineSessions(eu, "eu-bob") == 1)

                            // The logout carried the admin token eu itself issued to the proxy's
                            // client (one client_credentials grant), and went once: a tenant that
                            // had been shown the agent's token would have refused it (401) and
                            // the proxy would have gone again.
                            #expect(eu.requestCount(.token) == 1, "\(eu.requestCounts)")
                            #expect(eu.requestCount(.logout) == 1, "\(eu.requestCounts)")
                            let adminToken = try #require(eu.lastIssuedAccessToken)
                            #expect(Self.claims(adminToken)["azp"].string == proxyClientID)
                            let logouts = forwarder.requests.filter { $0.method == "POST" && $0.uri.hasSuffix("/logout") }
                            #expect(logouts.count == 1, "\(forwarder.requests.map(\.uri))")
                            #expect(logouts.first?.header("Authorization") == ["Bearer \(adminToken)"])
                            // No header, no target, anywhere, holds the agent's token or its signature.
                            let signature = String(token.split(separator: ".").last ?? "")
                            for request in forwarder.requests {
                                #expect(!request.uri.contains(signature), "\(request.uri)")
                                for (name, value) in request.headers {
                                    #expect(!value.contains(signature), "\(request.method) \(request.uri): \(name)")
                                }
                            }
                            #expect(!forwarder.requests.isEmpty)
                            #expect(!eu.requestLog.contains { $0.rawTarget.contains(signature) })
                            #expect(us.adminRequestCount == 0 && us.requestCount(.token) == 0)
                            // Validated locally: the issuer served discovery and keys, and the
                            // test's token request; no introspection, no admin call.
                            #expect(issuer.requestCount(.token) == 1, "\(issuer.requestCounts)")
                            #expect(issuer.adminRequestCount == 0, "\(issuer.requestCounts)")
                            #expect(Set(issuer.requestCounts.keys).isSubset(of: [.token, .discovery, .jwks]), "\(issuer.requestCounts)")

                            // role-agent holds only the client role: role-responder, which may
                            // log out on us but has no eu.
                            let roleToken = try await clientCredentialsToken(issuer: issuerURL, clientID: "role-agent", secret: "role-secret")
                            let onUS = try await client.callTool("logout_user", ["tenant": "us", "username": "bob"], token: roleToken)
                            #expect(onUS["isError"].bool == false, "\(onUS)")
                            #expect(try onlineSessions(us, "us-bob") == 0)
                            let onEU = try await client.callTool("logout_user", ["tenant": "eu", "username": "bob"], token: roleToken)
                            #expect(onEU["isError"].bool == true, "\(onEU)")
                            #expect(try onlineSessions(eu, "eu-bob") == 1)

                            audit.flush()
                            let text = try String(contentsOfFile: auditPath, encoding: .utf8)
                            let records = text.split(separator: "\n").map { JSON(text: String($0)) }
                            let alice = records.filter { $0["user_id"].string == "eu-alice" }
                            #expect(alice.count == 1, "\(text)")
                            let record = try #require(alice.first)
                            // incident-agent matches oauth-responder and role-responder: the first one in file order.
                            #expect(record["agent"].string == "oauth-responder", "\(record)")
                            #expect(record["tool"].string == "logout_user")
                            #expect(record["decision"].string == "allow" && record["outcome"].string == "ok", "\(record)")
                            #expect(record["token_sub"].string == sub, "\(record)")
                            #expect(record["token_azp"].string == "incident-agent", "\(record)")
                            #expect(record["token_jti"].string == jti, "\(record)")
                            let bob = records.filter { $0["tool"].string == "logout_user" && $0["token_azp"].string == "role-agent" }
                            #expect(bob.map { $0["agent"].string } == ["role-responder", "role-responder"], "\(text)")
                            #expect(bob.map { $0["decision"].string } == ["allow", "deny"], "\(text)")
                            #expect(bob.first?["token_jti"].string == Self.claims(roleToken)["jti"].string)
                            for secret in [token, signature, roleToken, adminToken, proxySecret, "incident-secret"] {
                                #expect(!text.contains(secret))
                            }
                        }
                    }
                }
            }
        }

        // MARK: 2. Refused tokens

        @Test("every unusable token gets 401 pointing at the metadata and reaches no tenant; the proxy keeps serving", .timeLimit(.minutes(1)))
        func refusedTokens() async throws {
            try await Self.withIssuer { issuer, issuerURL in
                // A key the proxy will never see listed: rotated out and removed before it starts.
                let removed = try await issuer.keyIDs(realm: Self.realm).activeSigning
                try await issuer.rotateSigningKey(realm: Self.realm)
                try issuer.removeSigningKey(realm: Self.realm, kid: removed)
                func mint(_ adjustments: TokenAdjustment...) async throws -> String {
                    try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent", adjustments: adjustments)
                }
                let refused: [(String, String)] = [
                    ("expired 120 s ago, beyond the 30 s leeway", try await mint(.expired(by: .seconds(120)))),
                    ("no exp", try await mint(.noExpiry)),
                    ("nbf 10 minutes ahead", try await mint(.notBefore(in: .seconds(600)))),
                    ("iat an hour ahead", try await mint(.issuedInFuture(by: .seconds(3600)))),
                    ("another iss", try await mint(.issuer("https://evil.example/realms/agents"))),
                    ("the iss with a trailing slash", try await mint(.issuer(issuerURL + "/"))),
                    ("iss another realm of the same Keycloak", try await mint(.issuer(issuer.issuer(realm: "master")))),
                    ("no aud", try await mint(.audience([]))),
                    ("aud only account", try await mint(.audience(["account"]))),
                    ("aud another resource", try await mint(.audience(["https://other.example.com/mcp", "account"]))),
                    ("aud the public URL's origin", try await mint(.audience(["https://mcp-proxy.test"]))),
                    ("aud the public URL with a trailing slash", try await mint(.audience([oauthPublicURL + "/"]))),
                    ("alg none", try await mint(.unsigned)),
                    ("HS256 keyed with the RSA public key's PEM", try await mint(.hmacWithPublicKey(.pem))),
                    ("HS256 keyed with the RSA public key's DER", try await mint(.hmacWithPublicKey(.der))),
                    ("a kid no JWKS lists", try await mint(.keyID("no-such-key"))),
                    ("tampered payload", try await mint(.tamperedPayload)),
                    ("signed with the enc key", try await mint(.encryptionKey)),
                    ("typ Refresh", try await mint(.tokenType("Refresh"))),
                    ("typ ID", try await mint(.tokenType("ID"))),
                    ("signed with a removed key", try await mint(.signingKey(kid: removed))),
                    // Honestly signed, but over the proxy's 16 KiB cap (and under the 64 KiB head limit).
                    ("~20 KB", try await mint(.oversized(bytes: 20_000))),
                    ("not a JWT", "not-a-jwt-0123456789"),
                    ("three empty parts", ".."),
                    ("a static token no agent has", TestAgent.euHelpdesk.token),
                ]
                #expect(refused.first { $0.0 == "~20 KB" }.map { $0.1.utf8.count > 16 * 1024 && $0.1.utf8.count < 60_000 } == true)
                let huge = try await mint(.oversized())
                #expect(huge.utf8.count > 100_000)

                try await withTwoTenants { eu, us in
                    let config = Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL)
                    try await withOAuthProxy(config) { client, port in
                        let call = ["name": "logout_user", "arguments": ["tenant": "eu", "username": "alice"]] as JSONValue
                        Self.expectUnauthorized(try await client.rpc("tools/call", call, token: nil), tokenSent: false, "no token")
                        #expect(
                            try await client.rpc("tools/call", call, token: nil).headers["WWW-Authenticate"]
                                == ["Bearer resource_metadata=\"\(oauthMetadataURL)\""])
                        for (what, token) in refused {
                            Self.expectUnauthorized(try await client.rpc("tools/call", call, token: token), tokenSent: true, what)
                        }

                        // The token in the query string, none in the header: not looked at.
                        let valid = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                        let inQuery = try await client.send(
                            path: "/mcp?access_token=\(valid)", headers: MCPTestClient.headers(token: nil),
                            body: Array(JSONValue.object(["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call]).jsonText.utf8))
                        Self.expectUnauthorized(inQuery, tokenSent: false, "token in the query string")

                        // ~100 KB: the request head passes 64 KiB, so the listener answers 431
                        // before any header is looked at; the token is never parsed.
                        let connection = try RawHTTPConnection(port: port)
                        try connection.send(RawHTTPConnection.post(JSONValue.object(["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call]).jsonText, token: huge))
                        let tooLarge = await connection.read(until: "\u{0}never sent\u{0}")
                        #expect(tooLarge.hasPrefix("HTTP/1.1 431 "), "\(tooLarge.prefix(300))")

                        try expectUntouched(eu, us)
                        // Refusals cost no key fetch beyond the one at start, but for at most one
                        // unknown-kid refetch should the test have run past 30 s.
                        #expect(issuer.requestCount(.jwks) <= 2, "\(issuer.requestCounts)")

                        // Within the leeway is accepted (tools/list reaches no tenant).
                        for (what, token) in [
                            ("expired 10 s ago", try await mint(.expired(by: .seconds(10)))),
                            ("nbf 10 s ahead", try await mint(.notBefore(in: .seconds(10)))),
                            ("aud the public URL among others", try await mint(.audience(["account", oauthPublicURL]))),
                            ("ES256, by the realm's EC key", try await mint(.signingKey(kid: try #require(try await issuer.keyIDs(realm: Self.realm).ecSigning)))),
                        ] {
                            #expect(try await client.rpc("tools/list", token: token).status == 200, "\(what)")
                        }
                        try expectUntouched(eu, us)

                        // And the proxy still serves a valid token.
                        let result = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: valid)
                        #expect(result["structuredContent"]["status"].string == "success", "\(result)")
                        #expect(try onlineSessions(eu, "eu-alice") == 0)
                        #expect(try onlineSessions(us, "us-alice") == 2)
                    }
                }
            }
        }

        // MARK: 3. Valid tokens refused with 403

        @Test("a valid token no agent claims gets 403 naming no agent; one without the tool's scope gets insufficient_scope but still lists it", .timeLimit(.minutes(1)))
        func forbidden() async throws {
            try await Self.withIssuer { _, issuerURL in
                try await withTwoTenants { eu, us in
                    let config = Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL, scopes: [.logoutUser: Self.logoutScope])
                    try await withOAuthProxy(config) { client, _ in
                        let stranger = try await clientCredentialsToken(issuer: issuerURL, clientID: "stranger", secret: "stranger-secret")
                        #expect(Self.claims(stranger)["aud"].string == oauthPublicURL)
                        for (method, params) in [("tools/list", nil), ("tools/call", Self.logoutAlice)] as [(String, JSONValue?)] {
                            let reply = try await client.rpc(method, params, token: stranger)
                            #expect(reply.status == 403, "\(method): HTTP \(reply.status) \(reply.body)")
                            #expect(reply.json["jsonrpc"].string == "2.0", "\(reply.body)")
                            #expect(reply.json["error"]["code"].int == -32600, "\(reply.body)")
                            #expect(!reply.json["result"].exists)
                            for name in Self.agentNames + ["stranger"] {
                                #expect(!reply.body.contains(name), "\(reply.body)")
                            }
                            // No challenge that would send the client to sign in again for a scope.
                            #expect(!reply.headers["WWW-Authenticate"].contains { $0.contains("insufficient_scope") }, "\(reply.headers)")
                        }

                        // oauth-reader may call every tool, but its token lacks keycloak-mcp:logout.
                        let reader = try await clientCredentialsToken(issuer: issuerURL, clientID: "reader-agent", secret: "reader-secret")
                        #expect(Self.claims(reader)["scope"].string == "profile email")
                        let tools = try await client.listTools(token: reader)
                        #expect(tools.compactMap { $0["name"].string } == ["logout_user", "get_user_sessions", "list_tenants"])
                        let challenge = "Bearer error=\"insufficient_scope\", scope=\"\(Self.logoutScope)\", resource_metadata=\"\(oauthMetadataURL)\""
                        let refused = try await client.rpc("tools/call", Self.logoutAlice, id: 9, token: reader)
                        #expect(refused.status == 403, "\(refused.body)")
                        #expect(refused.headers["WWW-Authenticate"] == [challenge])
                        #expect(refused.json["id"].int == 9, "\(refused.body)")
                        #expect(refused.json["error"]["code"].int == -32600, "\(refused.body)")
                        // The same for a 2026-07-28 client, which names the tool on the head.
                        let modern = try await client.modern("tools/call", Self.logoutAliceParams, id: 10, token: reader)
                        #expect(modern.status == 403, "\(modern.body)")
                        #expect(modern.headers["WWW-Authenticate"] == [challenge])
                        #expect(modern.json["id"].int == 10, "\(modern.body)")
                        // The tool's name in another spelling neither escapes the check nor runs.
                        for name in ["LOGOUT_USER", "logout_user ", "logout-user"] {
                            let respelled = try await client.rpc(
                                "tools/call", ["name": .string(name), "arguments": ["tenant": "eu", "username": "alice"]], id: 11, token: reader)
                            #expect(respelled.json["error"].exists || respelled.json["result"]["isError"].bool == true, "\(name): \(respelled.body)")
                        }
                        // A 401 in this config lists the scopes.
                        let anonymous = try await client.rpc("tools/list", token: nil)
                        #expect(anonymous.status == 401)
                        #expect(anonymous.headers["WWW-Authenticate"] == ["Bearer resource_metadata=\"\(oauthMetadataURL)\", scope=\"\(Self.logoutScope)\""])
                        try expectUntouched(eu, us)

                        // Asked for, the scope is granted, and the call goes through.
                        let scoped = try await clientCredentialsToken(
                            issuer: issuerURL, clientID: "reader-agent", secret: "reader-secret", scope: Self.logoutScope)
                        #expect(Self.claims(scoped)["scope"].string?.split(separator: " ").contains(Substring(Self.logoutScope)) == true)
                        let result = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: scoped)
                        #expect(result["structuredContent"]["status"].string == "success", "\(result)")
                        #expect(try onlineSessions(eu, "eu-alice") == 0)
                        // A tool with no scope configured needs none.
                        let sessions = try await client.callTool("get_user_sessions", ["tenant": "us", "username": "alice"], token: reader)
                        #expect(sessions["structuredContent"]["count"].int == 2, "\(sessions)")
                    }
                }
            }
        }

        // MARK: 4. Protected resource metadata

        @Test("the RFC 9728 metadata is served at both well-known paths without a token, and nowhere else", .timeLimit(.minutes(1)))
        func metadata() async throws {
            try await Self.withIssuer { issuer, issuerURL in
                try await withTwoTenants { eu, _ in
                    let scopes: [ToolName: String] = [.logoutUser: Self.logoutScope, .getUserSessions: "keycloak-mcp:read"]
                    try await withOAuthProxy(Self.config([tenantConfig("eu", eu)], issuer: issuerURL, scopes: scopes)) { client, _ in
                        for path in ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"] {
                            for headers: [(String, String)] in [[], [("Authorization", "Bearer not-a-valid-token")]] {
                                let reply = try await client.send(.GET, path: path, headers: headers)
                                #expect(reply.status == 200, "\(path): \(reply.status) \(reply.body)")
                                #expect(reply.headers["Content-Type"].first?.hasPrefix("application/json") == true, "\(reply.headers)")
                                let document = reply.json
                                #expect(document["resource"].string == oauthPublicURL, "\(reply.body)")
                                #expect(document["authorization_servers"].array.compactMap(\.string) == [issuerURL], "\(reply.body)")
                                #expect(document["bearer_methods_supported"].array.compactMap(\.string) == ["header"], "\(reply.body)")
                                #expect(
                                    document["scopes_supported"].array.compactMap(\.string) == ["keycloak-mcp:logout", "keycloak-mcp:read"],
                                    "\(reply.body)")
                            }
                        }
                        for path in [
                            "/.well-known/oauth-protected-resource/other", "/.well-known/oauth-protected-resource/mcp/extra",
                            "/.well-known/oauth-protected-resource/mcpx", "/.well-known/oauth-protected-resource-x",
                        ] {
                            #expect(try await client.send(.GET, path: path, headers: []).status == 404, "\(path)")
                        }
                    }
                    // Without server.oauth there is no protected resource to describe.
                    try await withOAuthProxy(proxyConfig([tenantConfig("eu", eu)])) { client, _ in
                        for path in ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"] {
                            let reply = try await client.send(.GET, path: path, headers: [])
                            #expect(reply.status == 404, "\(path)")
                        }
                    }
                    #expect(eu.adminRequestCount == 0 && eu.requestCount(.token) == 0)
                    #expect(issuer.requestCount(.token) == 0)
                }
            }
        }

        // MARK: 5. Key rotation

        /// The proxy fetches keys at start and for an unknown `kid` at most once per 30 s, so a
        /// token from a freshly rotated key is refused until 30 s after the last fetch, then one
        /// fetch brings the key in. The test waits for that (up to 50 s), sending floods of
        /// tokens whose `kid` no JWKS ever lists meanwhile, and counts the JWKS fetches.
        @Test("after a rotation one JWKS fetch brings the new key in; floods of unknown kids cost at most one fetch; a removed key's tokens stop after the next fetch", .timeLimit(.minutes(3)))
        func keyRotation() async throws {
            try await Self.withIssuer { issuer, issuerURL in
                try await withTwoTenants { eu, us in
                    let config = Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL)
                    try await withOAuthProxy(config, connections: 16) { client, _ in
                        let before = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                        #expect(try await client.rpc("tools/list", token: before).status == 200)
                        #expect(issuer.requestCount(.jwks) == 1, "the keys fetched at start: \(issuer.requestCounts)")

                        let newKID = try await issuer.rotateSigningKey(realm: Self.realm)
                        let after = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                        #expect(Self.claims(after)["iss"].string == issuerURL)
                        var unknown: [String] = []
                        for index in 0..<25 {
                            unknown.append(try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent", .keyID("never-listed-\(index)")))
                        }
                        // Each round: 25 unknown kids and the new key's token at once, until the new
                        // key is in. A round never costs more than one fetch.
                        let deadline = ContinuousClock.now + .seconds(50)
                        var accepted = false
                        var fetches = issuer.requestCount(.jwks)
                        while !accepted && ContinuousClock.now < deadline {
                            let statuses = try await Self.listStatuses(client, unknown + [after])
                            #expect(statuses.filter { $0 == 401 }.count >= unknown.count, "\(statuses)")
                            let now = issuer.requestCount(.jwks)
                            #expect(now - fetches <= 1, "a round cost \(now - fetches) fetches")
                            fetches = now
                            accepted = try await client.rpc("tools/list", token: after).status == 200
                            if !accepted { try await Task.sleep(for: .seconds(1)) }
                        }
                        #expect(accepted, "the new key's token was never accepted")
                        #expect(issuer.requestCount(.jwks) == 2, "one fetch for the new key: \(issuer.requestCounts)")
                        #expect(issuer.requestCount(.discovery) == issuer.requestCount(.jwks))

                        // 50 callers with new-key tokens: no more fetches (two in all).
                        var fresh: [String] = []
                        for _ in 0..<50 { fresh.append(try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent")) }
                        #expect(fresh.allSatisfy { (try? DecodedKID(token: $0).kid) == newKID })
                        #expect(try await Self.listStatuses(client, fresh).allSatisfy { $0 == 200 })
                        #expect(issuer.requestCount(.jwks) <= 2, "\(issuer.requestCounts)")
                        // The old key is still listed, so its tokens still verify.
                        #expect(try await client.rpc("tools/list", token: before).status == 200)

                        // A flood of 50 unknown kids right after a fetch: none.
                        var flood: [String] = []
                        for index in 0..<50 {
                            flood.append(try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent", .keyID("flood-\(index)")))
                        }
                        #expect(try await Self.listStatuses(client, flood).allSatisfy { $0 == 401 })
                        #expect(issuer.requestCount(.jwks) == 2, "\(issuer.requestCounts)")

                        // The old key removed: the proxy learns it at its next fetch (every 10 minutes,
                        // or for an unknown kid 30 s after the last one), and from then on the old
                        // key's tokens, verified and remembered before, are refused.
                        let oldKID = try #require(try DecodedKID(token: before).kid)
                        try issuer.removeSigningKey(realm: Self.realm, kid: oldKID)
                        let probe = try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent", .keyID("after-removal"))
                        let refetchDeadline = ContinuousClock.now + .seconds(45)
                        while issuer.requestCount(.jwks) == 2 && ContinuousClock.now < refetchDeadline {
                            #expect(try await client.rpc("tools/list", token: probe).status == 401)
                            if issuer.requestCount(.jwks) == 2 { try await Task.sleep(for: .seconds(1)) }
                        }
                        #expect(issuer.requestCount(.jwks) == 3, "one fetch for the unknown kid: \(issuer.requestCounts)")
                        #expect(try await client.rpc("tools/list", token: before).status == 401, "the removed key's token still works")
                        #expect(try await client.rpc("tools/list", token: after).status == 200)
                        try expectUntouched(eu, us)
                    }
                }
            }
        }

        // MARK: 6. The issuer down

        /// The port refuses connections: the key fetch fails at once (no retry of a refused
        /// connection), and DESIGN.md bounds any fetch at 5 s, which is what the first call is held
        /// to. Once that fetch has failed, tokens get 401 at once; static tokens never wait.
        @Test("an issuer unreachable from the start: its tokens get 401 within the 5 s fetch timeout, then at once; static tokens still work", .timeLimit(.minutes(1)))
        func issuerDownAtStart() async throws {
            // Start the issuer to learn its URL and sign tokens, then stop it: its port is closed.
            let (issuerURL, tokens) = try await withStoppableEmulator(.init(issuerKeys: .unique)) { issuer, stop in
                try Self.seedIssuer(issuer)
                var tokens: [String] = []
                for _ in 0..<3 { tokens.append(try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent")) }
                let url = issuer.issuer(realm: Self.realm)
                await stop()
                return (url, tokens)
            }
            try await withTwoTenants { eu, us in
                try await withOAuthProxy(Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL)) { client, _ in
                    let clock = ContinuousClock()
                    func timed(_ token: String, _ params: JSONValue = Self.logoutAlice) async throws -> (HTTPReply, Duration) {
                        let start = clock.now
                        let reply = try await client.rpc("tools/call", params, token: token)
                        return (reply, clock.now - start)
                    }
                    // The first call, beside a static-token one that does not wait for the issuer.
                    async let first = timed(tokens[0])
                    let (listed, staticElapsed) = try await timed(TestAgent.incidentBot.token, ["name": "list_tenants", "arguments": [:]])
                    #expect(listed.status == 200, "\(listed.body)")
                    #expect(staticElapsed < .seconds(2), "\(staticElapsed)")
                    let (firstReply, firstElapsed) = try await first
                    Self.expectUnauthorized(firstReply, tokenSent: true, "issuer down, first call")
                    #expect(firstElapsed < .seconds(7), "\(firstElapsed)")
                    for token in tokens + tokens {
                        let (reply, elapsed) = try await timed(token)
                        Self.expectUnauthorized(reply, tokenSent: true, "issuer down")
                        #expect(elapsed < .seconds(2), "\(elapsed)")
                    }
                    try expectUntouched(eu, us)
                    let result = try await client.callTool("logout_user", ["tenant": "us", "username": "alice"], token: TestAgent.incidentBot.token)
                    #expect(result["structuredContent"]["status"].string == "success", "\(result)")
                }
            }
        }

        @Test("an issuer failing at start is retried: its tokens get 401, then work without a restart", .timeLimit(.minutes(1)))
        func issuerRetriedAfterFailingAtStart() async throws {
            try await Self.withIssuer { issuer, issuerURL in
                issuer.failNext(1, with: .status(503, body: #"{"error":"unavailable"}"#), only: .discovery)
                let token = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                try await withTwoTenants { eu, us in
                    try await withOAuthProxy(Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL)) { client, _ in
                        Self.expectUnauthorized(try await client.rpc("tools/list", token: token), tokenSent: true, "keys not fetched yet")
                        #expect(issuer.requestCount(.discovery) >= 1)
                        // The retry (with backoff) fetches the keys: wait for the token to work.
                        let deadline = ContinuousClock.now + .seconds(30)
                        var status = 401
                        while status != 200 && ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(200))
                            status = try await client.rpc("tools/list", token: token).status
                        }
                        #expect(status == 200)
                        #expect(issuer.requestCount(.discovery) >= 2, "\(issuer.requestCounts)")
                        #expect(issuer.requestCount(.jwks) == 1, "only the attempt that found the discovery document fetched keys")
                        try expectUntouched(eu, us)
                    }
                }
            }
        }

        @Test("with the keys cached and the issuer gone, known keys keep validating and an unknown kid fails fast", .timeLimit(.minutes(1)))
        func issuerGoneWithKeysCached() async throws {
            try await withStoppableEmulator(.init(issuerKeys: .unique)) { issuer, stop in
                try Self.seedIssuer(issuer)
                let issuerURL = issuer.issuer(realm: Self.realm)
                try await withTwoTenants { eu, us in
                    try await withOAuthProxy(Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL)) { client, _ in
                        let first = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                        #expect(try await client.rpc("tools/list", token: first).status == 200)
                        let later = try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent")
                        let unknownKID = try await issuer.mintAccessToken(realm: Self.realm, clientID: "incident-agent", .keyID("not-in-any-jwks"))
                        await stop()

                        #expect(try await client.rpc("tools/list", token: first).status == 200)
                        let result = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: later)
                        #expect(result["structuredContent"]["status"].string == "success", "\(result)")
                        #expect(try onlineSessions(eu, "eu-alice") == 0)
                        let clock = ContinuousClock()
                        var reply: HTTPReply?
                        let elapsed = try await clock.measure {
                            reply = try await client.rpc("tools/call", ["name": "logout_user", "arguments": ["tenant": "us", "username": "alice"]], token: unknownKID)
                        }
                        Self.expectUnauthorized(try #require(reply), tokenSent: true, "unknown kid, issuer gone")
                        #expect(elapsed < .seconds(2), "\(elapsed)")
                        #expect(try onlineSessions(us, "us-alice") == 2)
                        #expect(us.adminRequestCount == 0)
                    }
                }
            }
        }

        // MARK: 7. Static tokens beside OAuth

        @Test("static-token agents keep working beside OAuth ones, at the same time", .timeLimit(.minutes(1)))
        func staticBesideOAuth() async throws {
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let auditPath = directory.appendingPathComponent("audit.jsonl").path
            let audit = try AuditLog(.file(auditPath))
            try await Self.withIssuer { _, issuerURL in
                try await withTwoTenants { eu, us in
                    try await withOAuthProxy(Self.config([tenantConfig("eu", eu), tenantConfig("us", us)], issuer: issuerURL), audit: audit) { client, _ in
                        let oauth = try await clientCredentialsToken(issuer: issuerURL, clientID: "incident-agent", secret: "incident-secret")
                        let staticToken = TestAgent.incidentBot.token
                        async let byStatic = client.callTool("logout_user", ["tenant": "us", "username": "alice"], token: staticToken)
                        async let byOAuth = client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: oauth)
                        let (staticResult, oauthResult) = try await (byStatic, byOAuth)
                        #expect(staticResult["structuredContent"]["status"].string == "success", "\(staticResult)")
                        #expect(oauthResult["structuredContent"]["status"].string == "success", "\(oauthResult)")
                        #expect(try onlineSessions(us, "us-alice") == 0)
                        #expect(try onlineSessions(eu, "eu-alice") == 0)
                        // Each sees its own tools: incident-bot all tenants, oauth-responder eu only.
                        let staticTools = try await client.listTools(token: staticToken)
                        #expect(staticTools.first?["inputSchema"]["properties"]["tenant"]["enum"].array.compactMap(\.string) == ["eu", "us"])
                        let oauthTools = try await client.listTools(token: oauth)
                        #expect(oauthTools.first?["inputSchema"]["properties"]["tenant"]["enum"].array.compactMap(\.string) == ["eu"])
                        // A static token that is not configured is refused like a bad access token.
                        Self.expectUnauthorized(
                            try await client.rpc("tools/list", token: TestAgent.incidentBot.token + "x"), tokenSent: true, "a wrong static token")

                        audit.flush()
                        let text = try String(contentsOfFile: auditPath, encoding: .utf8)
                        let records = text.split(separator: "\n").map { JSON(text: String($0)) }
                        let byAgent = Dictionary(grouping: records.filter { $0["tool"].string == "logout_user" }) { $0["agent"].string ?? "" }
                        let staticRecord = try #require(byAgent["incident-bot"]?.first, "\(text)")
                        #expect(staticRecord["user_id"].string == "us-alice")
                        #expect(!staticRecord["token_sub"].exists && !staticRecord["token_azp"].exists && !staticRecord["token_jti"].exists)
                        let oauthRecord = try #require(byAgent["oauth-responder"]?.first, "\(text)")
                        #expect(oauthRecord["token_azp"].string == "incident-agent")
                        #expect(!text.contains(staticToken) && !text.contains(oauth))
                    }
                }
            }
        }
    }
}

/// The `kid` of a JWT's header, unverified.
private struct DecodedKID {
    let kid: String?

    init(token: String) throws {
        let header = token.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { throw OAuthTestFailure("not a JWT header: \(header)") }
        kid = JSON(text: String(decoding: data, as: UTF8.self))["kid"].string
    }
}
