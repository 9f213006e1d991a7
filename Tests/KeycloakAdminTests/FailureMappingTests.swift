import KeycloakAdmin
import KeycloakEmulator
import Testing

/// Each way Keycloak can fail maps to its code, within its time limit.
@Suite(.timeLimit(.minutes(1)))
struct FailureMappingTests {
    let clock = ContinuousClock()

    @Test func connectionRefusedIsUnavailable() async throws {
        // An emulator that ran and stopped leaves a port nobody listens on.
        var stopped = try await KeycloakEmulator.withRunning { emulator in settings(emulator) }
        // A connect timeout far longer than a refusal takes: the call must not wait it out.
        stopped.timeouts = Timeouts(connect: .seconds(8), request: .seconds(10))
        try await withClient(stopped) { client in
            let start = clock.now
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(error?.retryable == true)
            // Refused at once, not tried again until the 8 s connect timeout.
            #expect(clock.now - start < .seconds(4))
        }
    }

    @Test func aStallBeyondTheRequestTimeoutIsATimeout() async throws {
        try await withTenant(adjust: { $0.timeouts.request = .milliseconds(300) }) { emulator, client throws in
            let (error, elapsed) = await stalledLogout(emulator, client)
            #expect(error?.code == .upstreamTimeout)
            #expect(error?.retryable == true)
            #expect(elapsed >= .milliseconds(300))
            // Nothing else ends the stall: a missed timeout would last until the time limit.
            #expect(elapsed < .seconds(10))
        }
    }

    @Test func aReusedConnectionTimesOutAtItsOwnExchangesDeadline() async throws {
        // One connection: the second exchange runs on it while the deadline check armed by the
        // first is still pending (due some 1.5 s into the second one's 3 s).
        try await withTenant(adjust: {
            $0.pool.maxConnections = 1
            $0.timeouts.request = .seconds(3)
        }) { emulator, client throws in
            try await warmUp(client)
            try await Task.sleep(for: .milliseconds(1500))
            let (error, elapsed) = await stalledLogout(emulator, client)
            #expect(error?.code == .upstreamTimeout)
            #expect(elapsed >= .seconds(3), "timed out after \(elapsed), before its own deadline")
            #expect(elapsed < .seconds(10))
        }
    }

    @Test func aSaturatedPoolIsTenantOverloaded() async throws {
        try await withTenant(adjust: {
            $0.pool.maxConnections = 1
            $0.timeouts = Timeouts(connect: .milliseconds(300), request: .seconds(10))
        }) { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)  // token fetched, connection made
            emulator.stall(.logout)
            async let first: Void = client.logout(realm: "customers", userID: aliceID)
            while emulator.stalledCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            // The only connection is busy: the second call waits for it past the connect timeout.
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .tenantOverloaded)
            #expect(error?.retryable == true)
            emulator.releaseStalled()
            try await first
        }
    }

    @Test func aStalledTokenEndpointIsATimeoutToo() async throws {
        try await withTenant(adjust: { $0.timeouts.request = .milliseconds(300) }) { emulator, client throws in
            emulator.stall(.token)
            let start = clock.now
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            emulator.releaseStalled()
            #expect(error?.code == .upstreamTimeout)
            // Nothing else ends the stall: a missed timeout would last until the time limit.
            #expect(clock.now - start < .seconds(10))
            #expect(emulator.adminRequestCount == 0)
        }
    }

    /// The token goes into a header of every admin request, which is not validated again there:
    /// a token endpoint that answers with a line break in it must not forge a header.
    /// (Each token as a JSON string's contents.)
    @Test(arguments: [#"abc\r\nX-Forged: 1"#, "abc def", #"abc\u007f"#, "tök"])
    func aTokenThatIsNoBearerTokenIsRefusedBeforeItIsSent(_ token: String) async throws {
        try await withTenant { emulator, client throws in
            let body = #"{"access_token":"\#(token)","expires_in":300,"token_type":"Bearer"}"#
            emulator.failNext(1, with: .status(200, body: body), only: .token)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamError)
            #expect(error.map { !"\($0)".contains("abc") } == true)
            #expect(emulator.adminRequestCount == 0)
        }
    }

    @Test func aDroppedConnectionIsUnavailable() async throws {
        try await withTenant { emulator, client throws in
            // Dropped on the token's connection, and again on the new one the retry opens
            // (StaleConnectionTests).
            emulator.failNext(2, with: .dropConnection, only: .logout)
            let start = clock.now
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(clock.now - start < .seconds(5))
            // The pool recovers: the next call succeeds.
            try await client.logout(realm: "customers", userID: aliceID)
        }
    }

    @Test(arguments: [500, 502, 503])
    func serverErrorsAreUpstreamErrors(_ status: Int) async throws {
        try await withTenant { emulator, client throws in
            emulator.failNext(1, with: .status(status, body: #"{"error":"unknown_error"}"#), only: .logout)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamError)
            #expect(error?.upstreamStatus == status)
            #expect(error?.upstreamError == "unknown_error")
            #expect(error?.retryable == true)
            #expect(error?.realm == "customers")
        }
    }

    @Test func unknownRealmAndUserHaveTheirCodes() async throws {
        try await withTenant { emulator, client throws in
            let realm = await failure { try await client.logout(realm: "nope", userID: aliceID) }
            #expect(realm?.code == .realmNotFound)
            #expect(realm?.upstreamError == "Realm not found.")
            let user = await failure { try await client.logout(realm: "customers", userID: "ghost") }
            #expect(user?.code == .userNotFound)
            #expect(user?.realm == "customers")
            #expect(user?.retryable == false)
        }
    }

    @Test func forbiddenSaysWhichRoleIsMissingAndWhere() async throws {
        try await withTenant { emulator, client throws in
            emulator.addRealm(EmulatedRealm(name: "partners"))
            try emulator.addUser(EmulatedUser(id: "p1", username: "p1"), realm: "partners")
            let logout = await failure { try await client.logout(realm: "partners", userID: "p1") }
            #expect(logout?.code == .upstreamForbidden)
            #expect(logout?.upstreamStatus == 403)
            #expect(logout?.message.contains("manage-users") == true)
            #expect(logout?.message.contains("\"partners-realm\"") == true)
            let sessions = await failure { try await client.userSessions(realm: "partners", userID: "p1") }
            #expect(sessions?.code == .upstreamForbidden)
            #expect(sessions?.message.contains("view-users") == true)
        }
    }

    @Test(arguments: [#"{"error":"HTTP 403 Forbidden"}"#, #"{"error":"unknown_error"}"#, ""])
    func every403BodyKeycloakVersionsSendIsForbidden(_ body: String) async throws {
        try await withTenant { emulator, client in
            emulator.failNext(1, with: .status(403, body: body.isEmpty ? nil : body), only: .logout)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamForbidden)
            #expect(error?.retryable == false)
            #expect(emulator.requestCount(.logout) == 1)
        }
    }

    @Test func aTokenFromTheTargetRealmGetsTheRealmManagementHint() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            try emulator.addClient(.serviceAccount("local", secret: "x", roles: []), realm: "customers")
            var tenant = settings(emulator, grant: .clientCredentials(secret: Secret("x")), clientID: "local")
            tenant.auth.realm = "customers"
            try await withClient(tenant) { client in
                let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
                #expect(error?.code == .upstreamForbidden)
                #expect(error?.message.contains("realm-management") == true)
            }
        }
    }

    /// A logout that Keycloak holds until it fails: its error and how long it took.
    private func stalledLogout(_ emulator: KeycloakEmulator, _ client: KeycloakAdminClient) async -> (KeycloakError?, Duration) {
        emulator.stall(.logout)
        defer { emulator.releaseStalled() }
        let start = clock.now
        let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
        return (error, clock.now - start)
    }
}
