import KeycloakAdmin
import KeycloakEmulator
import Testing

/// The token cache against a real emulator: one fetch in flight, refresh, retry after 401,
/// pacing of a failing token endpoint.
@Suite(.timeLimit(.minutes(1)))
struct TokenCacheTests {
    @Test func thousandConcurrentLogoutsOnAColdCacheFetchOneToken() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            let events = TokenEventLog()
            try await withClient(settings(emulator), onTokenEvent: events.handler) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<1000 {
                        group.addTask { try await client.logout(realm: "customers", userID: aliceID) }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(emulator.requestCount(.token) == 1)
            #expect(emulator.requestCount(.logout) == 1000)
            #expect(events.names.count == 1)
            #expect(events.names.first == "fetched")
        }
    }

    @Test func aOneSecondLifespanIsReusedThenRefreshed() async throws {
        try await withTenant { emulator, client throws in
            try emulator.setAccessTokenLifespan(.seconds(1), realm: "master")
            try await client.logout(realm: "customers", userID: aliceID)
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.token) == 1)
            try await Task.sleep(for: .milliseconds(1100))
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.token) == 2)
            // Every call succeeded with a live token: no 401 was needed.
            #expect(emulator.requestCount(.logout) == 3)
        }
    }

    @Test func aRevokedTokenIsReplacedAndTheCallRetriedOnce() async throws {
        try await withTenant { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            emulator.revokeAllTokens()
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.token) == 2)
            // warm-up, the refused call, its single retry
            #expect(emulator.requestCount(.logout) == 3)
        }
    }

    @Test func concurrentCallersOfARevokedTokenShareOneNewToken() async throws {
        try await withTenant { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            emulator.revokeAllTokens()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.logout(realm: "customers", userID: aliceID) }
                }
                try await group.waitForAll()
            }
            #expect(emulator.requestCount(.token) == 2)
            #expect(emulator.requestCount(.logout) <= 1 + 50 * 2)
        }
    }

    @Test func aStillRefusedNewTokenIsReportedNotRetriedAgain() async throws {
        try await withTenant { emulator, client throws in
            emulator.failNext(5, with: .status(401, body: #"{"error":"HTTP 401 Unauthorized"}"#), only: .logout)
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamAuthFailed)
            #expect(error?.upstreamStatus == 401)
            #expect(emulator.requestCount(.logout) == 2)
        }
    }

    @Test func aWrongSecretFailsFastWithKeycloaksTextAndFewTokenRequests() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            let wrong = "definitely-wrong-secret"
            let events = TokenEventLog()
            try await withClient(
                settings(emulator, grant: .clientCredentials(secret: Secret(wrong))), onTokenEvent: events.handler
            ) { client in
                for _ in 0..<100 {
                    let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
                    #expect(error?.code == .upstreamAuthFailed)
                    #expect(error?.upstreamStatus == 401)
                    #expect(error?.upstreamError == "Invalid client or Invalid client credentials")
                    #expect(error?.retryable == false)
                    #expect(!String(describing: error).contains(wrong))
                    #expect(!String(describing: error).contains(proxySecret))
                }
            }
            #expect(emulator.requestCount(.token) <= 3)
            #expect(emulator.adminRequestCount == 0)
            #expect(events.names.first == "failed:upstream_auth_failed")
        }
    }

    @Test func aFailingTokenEndpointIsPacedWithBackoff() async throws {
        let events = TokenEventLog()
        try await withTenant(onTokenEvent: events.handler) { emulator, client throws in
            emulator.failNext(1000, with: .status(503), only: .token)
            let clock = ContinuousClock()
            let start = clock.now
            var calls = 0
            while clock.now - start < .milliseconds(1200) {
                let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
                #expect(error?.code == .upstreamError)
                #expect(error?.upstreamStatus == 503)
                #expect(error?.retryable == true)
                calls += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(calls > 10)
            #expect(events.names == ["failed:upstream_error", "failed:upstream_error"])
            // 0 s, after 0.5 s, after 1.5 s: at most two fetches fit in 1.2 s.
            #expect(emulator.requestCount(.token) == 2)
            #expect(emulator.adminRequestCount == 0)
        }
    }

    enum Grant: String, CaseIterable, Sendable {
        case clientCredentials, password
    }

    @Test(arguments: Grant.allCases)
    func bothGrantsWork(_ grant: Grant) async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            let tenant =
                switch grant {
                case .clientCredentials: settings(emulator)
                case .password:
                    settings(
                        emulator, grant: .password(username: "admin", password: Secret("admin"), clientSecret: nil),
                        clientID: "admin-cli")
                }
            try await withClient(tenant) { client in
                try await client.logout(realm: "customers", userID: aliceID)
                #expect(try await client.userSessions(realm: "customers", userID: aliceID).isEmpty)
            }
            #expect(emulator.requestCount(.token) == 1)
        }
    }
}

/// `token_type` as old servers spell it.
@Suite(.timeLimit(.minutes(1)))
struct TokenTypeTests {
    @Test func lowerCaseBearerIsAccepted() async throws {
        try await withTenant(.init(tokenType: "bearer")) { emulator, client in
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.logout) == 1)
        }
    }

    @Test func aNonBearerTokenIsRefusedWithoutUsingIt() async throws {
        try await withTenant(.init(tokenType: "DPoP")) { emulator, client in
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamAuthFailed)
            #expect(error?.message.contains("DPoP") == true)
            #expect(emulator.adminRequestCount == 0)
        }
    }
}
