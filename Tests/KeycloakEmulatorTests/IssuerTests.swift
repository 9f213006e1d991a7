import Foundation
import JWTKit
import KeycloakEmulator
import NIOHTTP1
import Testing

/// Every realm as an OAuth issuer for agents: discovery, JWKS with rotation, signed access
/// tokens with Keycloak's claims, and hostile tokens on demand (keycloak-behavior.md section 7).
@Suite(.timeLimit(.minutes(1)))
struct IssuerTests {
    static let mcpURL = "https://mcp.example.com/mcp"

    /// Realm `agents` (with an ES256 key) and two agents: `incident-bot` with MCP scopes, an
    /// audience mapper and roles, `plain-bot` with Keycloak's defaults.
    static func seed(_ emulator: KeycloakEmulator) throws {
        emulator.addRealm(EmulatedRealm(name: "agents", ecSigningKey: true))
        try emulator.addClient(
            .agent(
                "incident-bot", secret: "bot-secret", defaultScopes: ["keycloak-mcp:logout", "keycloak-mcp:read"],
                audience: [mcpURL], realmRoles: ["mcp-agent"], clientRoles: ["keycloak-mcp": ["logout"]]),
            realm: "agents")
        try emulator.addClient(.agent("plain-bot", secret: "plain-secret"), realm: "agents")
    }

    /// A client_credentials token over HTTP.
    static func agentToken(_ client: RawClient, _ clientID: String, secret: String, prefix: String = "") async throws
        -> String
    {
        let reply = try await client.token(
            realm: "agents", "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)", prefix: prefix)
        guard let token = reply.json["access_token"] as? String else {
            throw TestFailure("no token for \(clientID): \(reply.status) \(reply.body)")
        }
        return token
    }

    /// The JWKS, found as a resource server finds it: through the discovery document.
    static func discoveredJWKS(_ client: RawClient, _ emulator: KeycloakEmulator) async throws -> String {
        let discovery = try await client.send(.GET, "\(emulator.configuration.basePath)/realms/agents/.well-known/openid-configuration")
        let jwksURI = try #require(discovery.json["jwks_uri"] as? String)
        #expect(jwksURI.hasPrefix(emulator.url))
        return try await client.send(.GET, String(jwksURI.dropFirst(emulator.url.count))).body
    }

    // MARK: Discovery

    @Test(arguments: ["", "/auth"])
    func discoveryDocumentsNameTheIssuer(prefix: String) async throws {
        try await withEmulator(.init(basePath: prefix)) { emulator, client throws in
            try Self.seed(emulator)
            let issuer = emulator.url + prefix + "/realms/agents"
            #expect(emulator.issuer(realm: "agents") == issuer)
            let oidc = try await client.send(.GET, "\(prefix)/realms/agents/.well-known/openid-configuration")
            let rfc8414 = try await client.send(.GET, "\(prefix)/.well-known/oauth-authorization-server/realms/agents")
            for reply in [oidc, rfc8414] {
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "Content-Type") == "application/json")
                #expect(reply.json["issuer"] as? String == issuer)
                #expect(reply.json["jwks_uri"] as? String == issuer + "/protocol/openid-connect/certs")
                #expect(reply.json["token_endpoint"] as? String == issuer + "/protocol/openid-connect/token")
                #expect(reply.json["authorization_endpoint"] as? String == issuer + "/protocol/openid-connect/auth")
                #expect(reply.json["code_challenge_methods_supported"] as? [String] == ["S256"])
                #expect((reply.json["grant_types_supported"] as? [String])?.contains("client_credentials") == true)
                #expect((reply.json["response_types_supported"] as? [String])?.contains("code") == true)
                #expect(reply.json["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post"])
                #expect((reply.json["scopes_supported"] as? [String])?.contains("keycloak-mcp:logout") == true)
            }
            #expect(oidc.body == rfc8414.body)
            #expect(emulator.requestCount(.discovery) == 2)

            for target in [
                "\(prefix)/realms/nope/.well-known/openid-configuration",
                "\(prefix)/.well-known/oauth-authorization-server/realms/nope",
            ] {
                let unknown = try await client.send(.GET, target)
                #expect(unknown.status == 404)
                #expect(unknown.body == #"{"error":"Realm does not exist"}"#)
            }
            let wrongMethod = try await client.send(.POST, "\(prefix)/realms/agents/.well-known/openid-configuration")
            #expect(wrongMethod.status == 405)
            #expect(emulator.requestCount(.discovery) == 5)
            if !prefix.isEmpty {
                let bare = try await client.send(.GET, "/realms/agents/.well-known/openid-configuration")
                #expect(bare.status == 404)
                #expect(bare.error?.hasPrefix("RESTEASY003210") == true)
            }
        }
    }

    // MARK: JWKS

    @Test func jwksListsSigningAndEncryptionKeys() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let reply = try await client.send(.GET, "/realms/agents/protocol/openid-connect/certs")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "Content-Type") == "application/json")
            let ids = try await emulator.keyIDs(realm: "agents")
            let entries = jwksEntries(reply.body)
            #expect(Set(entries.keys) == [ids.activeSigning, ids.encryption, try #require(ids.ecSigning)])
            #expect(ids.signing == [ids.activeSigning])

            let signing = try #require(entries[ids.activeSigning])
            #expect(signing["kty"] as? String == "RSA")
            #expect(signing["alg"] as? String == "RS256")
            #expect(signing["use"] as? String == "sig")
            #expect(signing["e"] as? String == "AQAB")
            #expect((signing["n"] as? String)?.count == 342)  // 2048 bits, base64url
            let encryption = try #require(entries[ids.encryption])
            #expect(encryption["kty"] as? String == "RSA")
            #expect(encryption["alg"] as? String == "RSA-OAEP")
            #expect(encryption["use"] as? String == "enc")
            #expect(encryption["n"] as? String != signing["n"] as? String)
            let ec = try #require(entries[ids.ecSigning ?? ""])
            #expect(ec["kty"] as? String == "EC")
            #expect(ec["alg"] as? String == "ES256")
            #expect(ec["crv"] as? String == "P-256")
            #expect(ec["use"] as? String == "sig")
            #expect(ec["x"] is String && ec["y"] is String)

            // Keycloak answers application/jwk-set+json to a client that asks for it.
            let negotiated = try await client.send(
                .GET, "/realms/agents/protocol/openid-connect/certs", headers: [("Accept", "application/jwk-set+json")])
            #expect(negotiated.headers.first(name: "Content-Type") == "application/jwk-set+json")
            #expect(negotiated.body == reply.body)
            let unknown = try await client.send(.GET, "/realms/nope/protocol/openid-connect/certs")
            #expect(unknown.status == 404)
            #expect(unknown.body == #"{"error":"Realm does not exist"}"#)
            #expect(emulator.requestCount(.jwks) == 3)
            #expect(emulator.adminRequestCount == 0)
        }
    }

    @Test func realmsHaveTheirOwnKeys() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let agents = try await emulator.keyIDs(realm: "agents")
            let master = try await emulator.keyIDs(realm: "master")
            #expect(agents.activeSigning != master.activeSigning)
            #expect(master.ecSigning == nil)
            let certs = try await client.send(.GET, "/realms/master/protocol/openid-connect/certs")
            #expect(Set(jwksEntries(certs.body).keys) == [master.activeSigning, master.encryption])
            await #expect(throws: EmulatorSeedError.unknownRealm("nope")) { try await emulator.keyIDs(realm: "nope") }
        }
    }

    @Test func emulatorsShareKeysUnlessTold() async throws {
        func activeModulus(_ emulator: KeycloakEmulator, _ client: RawClient) async throws -> String? {
            let certs = try await client.send(.GET, "/realms/agents/protocol/openid-connect/certs").body
            return jwksEntries(certs)[try await emulator.keyIDs(realm: "agents").activeSigning]?["n"] as? String
        }
        try await withEmulator { first, firstClient throws in
            try Self.seed(first)
            _ = try await Self.agentToken(firstClient, "plain-bot", secret: "plain-secret")  // agents takes key 0
            let modulus = try #require(try await activeModulus(first, firstClient))
            try await withEmulator { second, secondClient throws in
                try Self.seed(second)
                _ = try await Self.agentToken(secondClient, "plain-bot", secret: "plain-secret")
                // Another kid for the same process-wide key 0.
                #expect(try await second.keyIDs(realm: "agents").activeSigning != first.keyIDs(realm: "agents").activeSigning)
                #expect(try await activeModulus(second, secondClient) == modulus)
            }
            try await withEmulator(.init(issuerKeys: .unique)) { unique, uniqueClient throws in
                try Self.seed(unique)
                #expect(try await activeModulus(unique, uniqueClient) != modulus)
            }
        }
    }

    // MARK: Tokens

    @Test func clientCredentialsTokenVerifiesAgainstTheDiscoveredJWKS() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let response = try await client.token(
                realm: "agents", "grant_type=client_credentials&client_id=incident-bot&client_secret=bot-secret")
            let token = try #require(response.json["access_token"] as? String)
            #expect(response.json["scope"] as? String == "keycloak-mcp:logout keycloak-mcp:read")
            let keys = try await signatureKeys(fromJWKS: try await Self.discoveredJWKS(client, emulator))
            let claims = try await keys.verify(token, as: AgentTokenClaims.self)

            let decoded = try DecodedJWT(token)
            #expect(decoded.header["alg"] as? String == "RS256")
            #expect(decoded.header["typ"] as? String == "JWT")
            #expect(decoded.header["kid"] as? String == (try await emulator.keyIDs(realm: "agents")).activeSigning)
            #expect(claims.iss == emulator.issuer(realm: "agents"))
            #expect(claims.aud?.value == [Self.mcpURL])
            #expect(decoded.payload["aud"] as? String == Self.mcpURL)  // one audience: a string, as Keycloak writes it
            #expect(claims.typ == "Bearer")
            #expect(claims.azp == "incident-bot")
            #expect(claims.client_id == "incident-bot")
            #expect(claims.preferred_username == "service-account-incident-bot")
            #expect(claims.scope == "keycloak-mcp:logout keycloak-mcp:read")
            #expect(!claims.sub.isEmpty && claims.sub != "incident-bot")
            #expect(!claims.jti.isEmpty)
            #expect(claims.exp.map { $0 - claims.iat } == 300)
            #expect(abs(claims.iat - Int(Date().timeIntervalSince1970)) < 60)
            #expect(decoded.payload["sid"] == nil)
            let realmRoles = Set(claims.realm_access?.roles ?? [])
            #expect(realmRoles.isSuperset(of: ["mcp-agent", "default-roles-agents", "offline_access", "uma_authorization"]))
            #expect(claims.resource_access?["keycloak-mcp"]?.roles == ["logout"])
            #expect(claims.resource_access?["account"]?.roles.contains("view-profile") == true)

            // The same service account each time; a new jti each time.
            let again = try await keys.verify(
                try await Self.agentToken(client, "incident-bot", secret: "bot-secret"), as: AgentTokenClaims.self)
            #expect(again.sub == claims.sub)
            #expect(again.jti != claims.jti)
        }
    }

    @Test func withoutAnAudienceMapperTheAudienceIsAccount() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let token = try await Self.agentToken(client, "plain-bot", secret: "plain-secret")
            let keys = try await signatureKeys(fromJWKS: try await Self.discoveredJWKS(client, emulator))
            let claims = try await keys.verify(token, as: AgentTokenClaims.self)
            #expect(try DecodedJWT(token).payload["aud"] as? String == "account")
            #expect(claims.scope == "profile email")
            #expect(claims.preferred_username == "service-account-plain-bot")

            // The mapper can be changed per client: two values, and none at all.
            try emulator.addClient(
                .agent("plain-bot", secret: "plain-secret", audience: [Self.mcpURL, "account"]), realm: "agents")
            let both = try DecodedJWT(try await Self.agentToken(client, "plain-bot", secret: "plain-secret"))
            #expect(both.payload["aud"] as? [String] == [Self.mcpURL, "account"])
            try emulator.addClient(.agent("plain-bot", secret: "plain-secret", audience: []), realm: "agents")
            let none = try DecodedJWT(try await Self.agentToken(client, "plain-bot", secret: "plain-secret"))
            #expect(none.payload["aud"] == nil)
        }
    }

    @Test func requestedScopesAreOptionalScopesOrRefused() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let form = "grant_type=client_credentials&client_id=plain-bot&client_secret=plain-secret"
            let granted = try await client.token(realm: "agents", form + "&scope=openid%20phone")
            #expect(granted.json["scope"] as? String == "openid profile email phone")
            let refused = try await client.token(realm: "agents", form + "&scope=keycloak-mcp:admin")
            #expect(refused.status == 400)
            #expect(refused.body == #"{"error":"invalid_scope","error_description":"Invalid scopes: keycloak-mcp:admin"}"#)
            // RFC 8707's resource parameter is ignored, as by a Keycloak without resource indicators.
            let resource = try await client.token(realm: "agents", form + "&resource=https%3A%2F%2Fmcp.example.com%2Fmcp")
            #expect(try DecodedJWT(try #require(resource.json["access_token"] as? String)).payload["aud"] as? String == "account")
        }
    }

    @Test func theProxysAdminTokenIsASignedJWTAndStillWorks() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.addClient(.serviceAccount("keycloak-mcp-proxy", secret: "proxy-secret", roles: [.admin]), realm: "master")
            let reply = try await client.token(
                realm: "master", "grant_type=client_credentials&client_id=keycloak-mcp-proxy&client_secret=proxy-secret")
            let token = try #require(reply.json["access_token"] as? String)
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: token).status == 200)
            let certs = try await client.send(.GET, "/realms/master/protocol/openid-connect/certs")
            let claims = try await signatureKeys(fromJWKS: certs.body).verify(token, as: AgentTokenClaims.self)
            #expect(claims.iss == emulator.url + "/realms/master")
            #expect(claims.realm_access?.roles.contains("admin") == true)
            #expect(emulator.lastIssuedAccessToken == token)
            emulator.revokeToken(token)
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: token).status == 401)
        }
    }

    // MARK: Rotation

    @Test func rotationKeepsTheOldKeyListedUntilItIsRemoved() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let certsPath = "/realms/agents/protocol/openid-connect/certs"
            let before = try await Self.agentToken(client, "incident-bot", secret: "bot-secret")
            let old = try await emulator.keyIDs(realm: "agents").activeSigning
            #expect(try DecodedJWT(before).header["kid"] as? String == old)

            let new = try await emulator.rotateSigningKey(realm: "agents")
            #expect(new != old)
            let ids = try await emulator.keyIDs(realm: "agents")
            #expect(ids.activeSigning == new)
            #expect(ids.signing == [old, new])
            let after = try await Self.agentToken(client, "incident-bot", secret: "bot-secret")
            #expect(try DecodedJWT(after).header["kid"] as? String == new)
            let rotated = try await client.send(.GET, certsPath).body
            #expect(Set(jwksEntries(rotated).keys).isSuperset(of: [old, new]))
            let both = try await signatureKeys(fromJWKS: rotated)
            _ = try await both.verify(before, as: AgentTokenClaims.self)
            _ = try await both.verify(after, as: AgentTokenClaims.self)

            try emulator.removeSigningKey(realm: "agents", kid: old)
            #expect(try await emulator.keyIDs(realm: "agents").removed == [old])
            let pruned = try await client.send(.GET, certsPath).body
            #expect(jwksEntries(pruned)[old] == nil)
            #expect(jwksEntries(pruned)[new] != nil)
            let remaining = try await signatureKeys(fromJWKS: pruned)
            await #expect(throws: (any Error).self) { try await remaining.verify(before, as: AgentTokenClaims.self) }
            _ = try await remaining.verify(after, as: AgentTokenClaims.self)

            #expect(throws: EmulatorSeedError.unknownKey(realm: "agents", kid: old)) {
                try emulator.removeSigningKey(realm: "agents", kid: old)
            }
            await #expect(throws: EmulatorSeedError.unknownRealm("nope")) { try await emulator.rotateSigningKey(realm: "nope") }
        }
    }

    @Test func removingTheActiveKeyHandsSigningToTheNewestLeft() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let first = try await emulator.keyIDs(realm: "agents").activeSigning
            let second = try await emulator.rotateSigningKey(realm: "agents")
            try emulator.removeSigningKey(realm: "agents", kid: second)
            #expect(try await emulator.keyIDs(realm: "agents").activeSigning == first)
            try emulator.removeSigningKey(realm: "agents", kid: first)
            let token = try await Self.agentToken(client, "plain-bot", secret: "plain-secret")
            let fresh = try await emulator.keyIDs(realm: "agents")
            #expect(![first, second].contains(fresh.activeSigning))
            #expect(try DecodedJWT(token).header["kid"] as? String == fresh.activeSigning)
        }
    }

    // MARK: Hostile tokens

    @Test func mintedTokensDecodeToWhatTheyClaim() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let certs = try await client.send(.GET, "/realms/agents/protocol/openid-connect/certs").body
            let keys = try await signatureKeys(fromJWKS: certs)
            let ids = try await emulator.keyIDs(realm: "agents")
            let now = Int(Date().timeIntervalSince1970)
            func mint(_ adjustments: TokenAdjustment...) async throws -> (String, DecodedJWT) {
                let token = try await emulator.mintAccessToken(realm: "agents", clientID: "incident-bot", adjustments: adjustments)
                return (token, try DecodedJWT(token))
            }

            // Valid: as the token endpoint issues it, but not counted as issued.
            let (valid, validParts) = try await mint()
            let claims = try await keys.verify(valid, as: AgentTokenClaims.self)
            #expect(claims.iss == emulator.issuer(realm: "agents"))
            #expect(claims.aud?.value == [Self.mcpURL])
            #expect(claims.client_id == "incident-bot")
            #expect(validParts.header["kid"] as? String == ids.activeSigning)
            #expect(emulator.issuedTokenCount == 0)
            #expect(emulator.requestCount(.token) == 0)

            let (_, expired) = try await mint(.expired(by: .seconds(120)))
            let exp = try #require(expired.payload["exp"] as? Int)
            #expect(exp <= now - 119 && exp > now - 200)
            #expect(exp - (expired.payload["iat"] as? Int ?? 0) == 300)
            let (_, noExpiry) = try await mint(.noExpiry)
            #expect(noExpiry.payload["exp"] == nil)
            let (_, early) = try await mint(.notBefore(in: .seconds(600)))
            #expect((early.payload["nbf"] as? Int).map { $0 >= now + 600 } == true)
            let (_, future) = try await mint(.issuedInFuture(by: .seconds(3600)))
            #expect((future.payload["iat"] as? Int).map { $0 >= now + 3600 } == true)
            let (_, foreign) = try await mint(.issuer("https://evil.example/realms/agents"))
            #expect(foreign.payload["iss"] as? String == "https://evil.example/realms/agents")

            let (_, noAudience) = try await mint(.audience([]))
            #expect(noAudience.payload["aud"] == nil)
            let (_, accountOnly) = try await mint(.audience(["account"]))
            #expect(accountOnly.payload["aud"] as? String == "account")
            let (_, elsewhere) = try await mint(.audience(["https://other.example.com/mcp", "account"]))
            #expect(elsewhere.payload["aud"] as? [String] == ["https://other.example.com/mcp", "account"])
            for type in ["Refresh", "ID"] {
                let (_, typed) = try await mint(.tokenType(type))
                #expect(typed.payload["typ"] as? String == type)
            }
            let (_, narrow) = try await mint(.scope("keycloak-mcp:read"))
            #expect(narrow.payload["scope"] as? String == "keycloak-mcp:read")

            let (big, bigParts) = try await mint(.oversized())
            #expect(big.utf8.count > 100_000)
            #expect(((bigParts.payload["realm_access"] as? [String: Any])?["roles"] as? [String])?.count ?? 0 > 4000)
            _ = try await keys.verify(big, as: AgentTokenClaims.self)  // big, but honestly signed

            // Unsigned: alg none, empty signature.
            let (unsigned, unsignedParts) = try await mint(.unsigned)
            #expect(unsignedParts.header["alg"] as? String == "none")
            #expect(unsignedParts.signature.isEmpty)
            #expect(unsigned.hasSuffix("."))
            await #expect(throws: (any Error).self) { try await keys.verify(unsigned, as: AgentTokenClaims.self) }

            // HS256 keyed with the RSA public key: a verifier that uses the key's bytes as an HMAC secret accepts it.
            let signingJWK = try #require(jwksEntries(certs)[ids.activeSigning])
            let publicKey = try Insecure.RSA.PublicKey(
                modulus: try #require(signingJWK["n"] as? String), exponent: try #require(signingJWK["e"] as? String))
            for (encoding, secret) in [(TokenAdjustment.PublicKeyEncoding.pem, Data(publicKey.pemRepresentation.utf8)), (.der, publicKey.derRepresentation)] {
                let (confused, confusedParts) = try await mint(.hmacWithPublicKey(encoding))
                #expect(confusedParts.header["alg"] as? String == "HS256")
                #expect(confusedParts.header["kid"] as? String == ids.activeSigning)
                await #expect(throws: (any Error).self) { try await keys.verify(confused, as: AgentTokenClaims.self) }
                let naive = JWTKeyCollection()
                await naive.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
                _ = try await naive.verify(confused, as: AgentTokenClaims.self)
            }

            // A kid no JWKS lists, on a token the active key signed.
            let (_, unknownKid) = try await mint(.keyID("no-such-key"))
            #expect(unknownKid.header["kid"] as? String == "no-such-key")
            #expect(jwksEntries(certs)["no-such-key"] == nil)

            // Tampered: the payload changed, the header and signature are the original's.
            let (tampered, tamperedParts) = try await mint(.tamperedPayload)
            #expect(tamperedParts.signature.count > 300)
            #expect(((tamperedParts.payload["realm_access"] as? [String: Any])?["roles"] as? [String])?.contains("admin") == true)
            #expect((tamperedParts.payload["scope"] as? String)?.hasSuffix("keycloak-mcp:admin") == true)
            await #expect(throws: (any Error).self) { try await keys.verify(tampered, as: AgentTokenClaims.self) }

            // Signed by the encryption key: refused once enc keys are skipped, accepted by a verifier that keeps them.
            let (byEnc, byEncParts) = try await mint(.encryptionKey)
            #expect(byEncParts.header["kid"] as? String == ids.encryption)
            #expect(byEncParts.header["alg"] as? String == "RS256")
            await #expect(throws: (any Error).self) { try await keys.verify(byEnc, as: AgentTokenClaims.self) }
            let encJWK = try #require(jwksEntries(certs)[ids.encryption])
            let careless = JWTKeyCollection()
            await careless.add(
                rsa: try Insecure.RSA.PublicKey(
                    modulus: try #require(encJWK["n"] as? String), exponent: try #require(encJWK["e"] as? String)),
                digestAlgorithm: .sha256, kid: JWKIdentifier(string: ids.encryption))
            _ = try await careless.verify(byEnc, as: AgentTokenClaims.self)

            // ES256, by the realm's EC key: verifies against the JWKS.
            let (byEC, byECParts) = try await mint(.signingKey(kid: try #require(ids.ecSigning)))
            #expect(byECParts.header["alg"] as? String == "ES256")
            #expect(byECParts.header["kid"] as? String == ids.ecSigning)
            _ = try await keys.verify(byEC, as: AgentTokenClaims.self)

            // Adjustments combine.
            let (_, combined) = try await mint(.audience(["account"]), .expired(by: .seconds(60)), .unsigned)
            #expect(combined.payload["aud"] as? String == "account")
            #expect(combined.header["alg"] as? String == "none")
            await #expect(throws: EmulatorSeedError.unknownKey(realm: "agents", kid: "nope")) {
                _ = try await emulator.mintAccessToken(realm: "agents", clientID: "incident-bot", .signingKey(kid: "nope"))
            }
            await #expect(throws: EmulatorSeedError.unknownClient(realm: "agents", clientID: "ghost")) {
                _ = try await emulator.mintAccessToken(realm: "agents", clientID: "ghost")
            }
        }
    }

    @Test func tokensOfARemovedKeyStopVerifying() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let signedEarlier = try await emulator.mintAccessToken(realm: "agents", clientID: "incident-bot")
            let old = try await emulator.keyIDs(realm: "agents").activeSigning
            try await emulator.rotateSigningKey(realm: "agents")
            try emulator.removeSigningKey(realm: "agents", kid: old)
            // Minted after removal, still by the removed key.
            let signedLater = try await emulator.mintAccessToken(realm: "agents", clientID: "incident-bot", .signingKey(kid: old))
            let certs = try await client.send(.GET, "/realms/agents/protocol/openid-connect/certs").body
            #expect(jwksEntries(certs)[old] == nil)
            let keys = try await signatureKeys(fromJWKS: certs)
            for token in [signedEarlier, signedLater] {
                #expect(try DecodedJWT(token).header["kid"] as? String == old)
                await #expect(throws: (any Error).self) { try await keys.verify(token, as: AgentTokenClaims.self) }
            }
        }
    }

    // MARK: Seed format

    @Test func agentClientSpecsParse() throws {
        let full = try AgentClientSpec(
            "agents:incident-bot:s3:cret;scope=keycloak-mcp:read keycloak-mcp:logout;audience=https://mcp.example.com/mcp,account;realm-roles=mcp-agent;client-roles=keycloak-mcp/logout,keycloak-mcp/read")
        #expect(full.realm == "agents")
        #expect(full.client.clientID == "incident-bot")
        #expect(full.client.secret == "s3:cret")
        #expect(full.client.serviceAccountsEnabled)
        #expect(full.client.serviceAccountRoles.isEmpty)
        #expect(full.client.defaultScopes == ["keycloak-mcp:read", "keycloak-mcp:logout"])
        #expect(full.client.audience == ["https://mcp.example.com/mcp", "account"])
        #expect(full.client.serviceAccountRealmRoles == ["mcp-agent"])
        #expect(full.client.serviceAccountClientRoles == ["keycloak-mcp": ["logout", "read"]])

        let bare = try AgentClientSpec("agents:plain-bot:secret")
        #expect(bare.client.defaultScopes == ["profile", "email"])
        #expect(bare.client.audience == nil)
        #expect(try AgentClientSpec("agents:bot:secret;audience=").client.audience == [])

        for bad in ["agents:bot", "agents::secret", "agents:bot:secret;colour=blue", "agents:bot:secret;client-roles=norole", "agents:bot:secret;scope"] {
            #expect(throws: AgentClientSpec.ParseError.self, "\(bad)") { try AgentClientSpec(bad) }
        }
    }
}
