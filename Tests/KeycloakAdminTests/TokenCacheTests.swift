import KeycloakAdmin
import KeycloakEmulator
import Testing

/// Long enough that a burst queued on the pool waits for a connection even on a loaded machine:
/// these tests are about the token cache, not about saturation (which is `tenant_overloaded`).
let burstTimeouts = Timeouts(connect: .seconds(20), request: .seconds(20))

/// The token cache against a real emulator: one fetch in flight, refresh, retry after 401,
/// pacing of a failing token endpoint.
@Suite(.timeLimit(.minutes(1)))
struct TokenCacheTests {
    @Test func thousandConcurrentLogoutsOnAColdCacheFetchOneToken() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            let events = TokenEventLog()
            try await withClient(settings(emulator, timeouts: burstTimeouts), onTokenEvent: events.handler) { client in
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

    @Test func aSixSecondLifespanIsReusedThenRefreshed() async throws {
        try await withTenant { emulator, client throws in
            // Short enough to wait out, long enough that the token fetch and two calls fit in the
            // 85 % of it a token is reused for (5.1 s) even on a loaded machine.
            try emulator.setAccessTokenLifespan(.seconds(6), realm: "master")
            try await client.logout(realm: "customers", userID: aliceID)
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.token) == 1)
            let before = emulator.requestCount(.token)
            try await Task.sleep(for: .milliseconds(6100))
            try await client.logout(realm: "customers", userID: aliceID)
            // A refresh happened (a background one may have started during the second call).
            #expect(emulator.requestCount(.token) >= before + 1)
            #expect(emulator.requestCount(.token) <= before + 2)
            // Every call succeeded. A token sent just before its expiry can reach Keycloak just
            // after it, on a loaded machine: that costs one 401 and one retry, never more.
            #expect((3...4).contains(emulator.requestCount(.logout)))
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
        try await withTenant(adjust: { $0.timeouts = burstTimeouts }) { emulator, client throws in
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
            let calls = 40
            for _ in 0..<calls {
                let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
                #expect(error?.code == .upstreamError)
                #expect(error?.upstreamStatus == 503)
                #expect(error?.retryable == true)
                try await Task.sleep(for: .milliseconds(20))
            }
            let elapsed = clock.now - start
            // Fetches may start at 0 s, then after backoffs of 0.5 s, 1 s, 2 s...: count how many
            // fit in the time the calls really took, however slow the machine was.
            var allowed = 1
            var step = Duration.milliseconds(500)
            var next = step
            while next <= elapsed {
                allowed += 1
                step *= 2
                next += step
            }
            let fetches = emulator.requestCount(.token)
            #expect(fetches >= 2 && fetches <= allowed, "\(fetches) fetches in \(elapsed)")
            // Between fetches, callers fail fast with the last error: no request is sent.
            #expect(fetches <= calls / 8)
            #expect(events.names == Array(repeating: "failed:upstream_error", count: fetches))
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
