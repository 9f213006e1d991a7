import KeycloakAdmin
import KeycloakEmulator
import Testing

/// A keep-alive connection Keycloak closes just as a request goes out loses the request without
/// an answer. The client sends an idempotent request once more on another connection; it never
/// sends again what got part of an answer, or a request that is not idempotent.
@Suite(.timeLimit(.minutes(1)))
struct StaleConnectionTests {
    /// Token and one logout on one connection, so that the next call reuses it.
    func warmedUp(_ client: KeycloakAdminClient) async throws {
        try await client.logout(realm: "customers", userID: aliceID)
    }

    /// A logout whose reused connection is dropped unanswered succeeds, sent twice in all.
    func expectLostLogoutSentOnceMore(_ emulator: KeycloakEmulator, _ client: KeycloakAdminClient) async throws {
        try await warmedUp(client)
        let sent = emulator.requestCount(.logout)
        emulator.failNext(1, with: .dropConnection, only: .logout)
        try await client.logout(realm: "customers", userID: aliceID)
        #expect(emulator.requestCount(.logout) == sent + 2)
    }

    @Test func aLogoutThatAReusedConnectionLostIsSentOnceMore() async throws {
        try await withTenant { emulator, client throws in
            try await expectLostLogoutSentOnceMore(emulator, client)
        }
    }

    @Test func overHTTPSToo() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let tls = try EmulatorTLS(certificateFile: pki.serverCertFile, privateKeyFile: pki.serverKeyFile)
        try await withTenant(.init(tls: tls), adjust: { $0.tls.caFile = pki.caFile }) { emulator, client throws in
            try await expectLostLogoutSentOnceMore(emulator, client)
        }
    }

    @Test func aGetThatAReusedConnectionLostIsSentOnceMore() async throws {
        try await withTenant { emulator, client throws in
            try await warmedUp(client)
            let sent = emulator.requestCount(.userSessions)
            emulator.failNext(1, with: .dropConnection, only: .userSessions)
            let sessions = try await client.userSessions(realm: "customers", userID: aliceID)
            #expect(sessions.isEmpty)  // the warm-up's logout ended them
            #expect(emulator.requestCount(.userSessions) == sent + 1 + 1)
        }
    }

    @Test func aRequestLostAgainOnTheNextConnectionFails() async throws {
        try await withTenant { emulator, client throws in
            try await warmedUp(client)
            let sent = emulator.requestCount(.logout)
            emulator.failNext(2, with: .dropConnection, only: .logout)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(error?.retryable == true)
            // Once more only, not until something answers.
            #expect(emulator.requestCount(.logout) == sent + 2)
            try await client.logout(realm: "customers", userID: aliceID)
        }
    }

    @Test func aTokenRequestLostTwiceFailsWithoutAnAdminRequest() async throws {
        try await withTenant { emulator, client throws in
            // The token request is the first on a new connection; it goes once more only.
            emulator.failNext(2, with: .dropConnection, only: .token)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(emulator.requestCount(.token) == 2)
            #expect(emulator.adminRequestCount == 0)
        }
    }

    @Test func aLogoutAReusedConnectionLostToAResetIsSentOnceMore() async throws {
        let reset = ScriptedUpstream.Script(bytes: "HTTP/1.1 204 No Content\r\n\r\n", resetAfter: 1)
        try await ScriptedUpstream.withClient(answering: reset) { upstream, client in
            try await client.logout(realm: "customers", userID: "u-1")
            // The token's connection resets this one; a new connection answers it.
            try await client.logout(realm: "customers", userID: "u-1")
            #expect(upstream.connectionsAccepted == 2)
        }
    }

    @Test func anAnswerCutShortIsNotSentAgain() async throws {
        // Part of a head, then the close: Keycloak had the request, so it may have acted on it.
        let cut = ScriptedUpstream.Script(bytes: "HTTP/1.1 204 No", closeAfter: true)
        try await ScriptedUpstream.withClient(answering: cut) { upstream, client in
            let error = await failure { try await client.logout(realm: "customers", userID: "u-1") }
            #expect(error?.code == .upstreamUnavailable)
            // The token's connection, reused for the logout; no second one for a retry.
            #expect(upstream.connectionsAccepted == 1)
        }
    }
}
