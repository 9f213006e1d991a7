import KeycloakAdmin
import KeycloakEmulator
import Testing

/// The calls the tools need, end to end.
@Suite(.timeLimit(.minutes(1)))
struct UserCallsTests {
    @Test func findReadListAndLogOut() async throws {
        try await withTenant { emulator, client throws in
            try emulator.addUser(EmulatedUser(username: "alice2"), realm: "customers")
            let found = try await client.findUser(realm: "customers", username: "alice")
            #expect(found?.id == aliceID)
            #expect(found?.username == "alice")
            #expect(try await client.findUser(realm: "customers", username: "ali") == nil)

            let user = try await client.user(realm: "customers", id: aliceID)
            #expect(user.email == "alice@example.com")
            #expect(user.enabled == true)

            let sessions = try await client.userSessions(realm: "customers", userID: aliceID)
            #expect(sessions.count == 2)
            #expect(sessions.allSatisfy { $0.userId == aliceID && $0.clients?.values.first == "account-console" })

            try await client.logout(realm: "customers", userID: aliceID)
            #expect(try await client.userSessions(realm: "customers", userID: aliceID).isEmpty)
            // Keycloak keeps offline sessions on logout.
            #expect(try emulator.sessions(realm: "customers", userID: aliceID).map(\.offline) == [true])
            // Logging out again is fine: 204 with no sessions.
            try await client.logout(realm: "customers", userID: aliceID)
        }
    }

    @Test func errorsRenderWithoutSecrets() async throws {
        let error = KeycloakError(
            .upstreamForbidden, "the admin token needs manage-users", realm: "customers", upstreamStatus: 403,
            upstreamError: "HTTP 403 Forbidden")
        #expect(
            error.description
                == "upstream_forbidden: the admin token needs manage-users (realm \"customers\", Keycloak 403: HTTP 403 Forbidden)")
        #expect(String(describing: Secret(proxySecret)) == "<redacted>")
    }

    @Test func unusableSettingsAreRefusedAtInit() async throws {
        let bad = ConnectionSettings(
            url: "ftp://example.com", auth: AdminAuth(realm: "master", clientID: "x", grant: .clientCredentials(secret: Secret("s"))))
        #expect(throws: KeycloakError.self) { _ = try KeycloakAdminClient(settings: bad, logger: quietLogger) }
        let missingCA = ConnectionSettings(
            url: "https://example.com", auth: bad.auth, tls: TLSSettings(caFile: "/nonexistent/ca.pem"))
        #expect(throws: KeycloakError.self) { _ = try KeycloakAdminClient(settings: missingCA, logger: quietLogger) }
        var withPath = missingCA
        withPath.url = "https://example.com/auth"
        withPath.tls = .init()
        #expect(throws: KeycloakError.self) { _ = try KeycloakAdminClient(settings: withPath, logger: quietLogger) }
        var badRealm = withPath
        badRealm.url = "https://example.com"
        badRealm.auth.realm = "../master"
        #expect(throws: KeycloakError.self) { _ = try KeycloakAdminClient(settings: badRealm, logger: quietLogger) }
    }
}
