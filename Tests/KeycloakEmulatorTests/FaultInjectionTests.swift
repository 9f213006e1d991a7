import AsyncHTTPClient
import KeycloakEmulator
import NIOHTTP1
import Testing

/// The test controls: counts, failures, dropped connections, latency and stalls.
@Suite(.timeLimit(.minutes(1)))
struct FaultInjectionTests {
    @Test func countsEveryRequestByEndpoint() async throws {
        try await withEmulator { emulator, client throws in
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            _ = try await client.admin(.GET, "/admin/realms/master/users/count", token: admin)
            _ = try await client.admin(.GET, "/admin/realms/master/users/count", token: nil)
            _ = try await client.admin(.GET, "/nowhere", token: nil)
            #expect(emulator.requestCount(.token) == 1)
            #expect(emulator.requestCount(.userCount) == 2)
            #expect(emulator.requestCount(.other) == 1)
            #expect(emulator.adminRequestCount == 2)
            #expect(emulator.requestLog.map(\.method) == ["POST", "GET", "GET", "GET"])
        }
    }

    @Test func failsTheNextRequestsOfOneKindWithAStatus() async throws {
        try await withEmulator { emulator, client throws in
            emulator.failNext(2, with: .status(503, body: #"{"error":"down"}"#), only: .token)
            let form = "grant_type=password&client_id=admin-cli&username=admin&password=admin"
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: nil).status == 401)
            #expect(try await client.token(realm: "master", form).status == 503)
            #expect(try await client.token(realm: "master", form).status == 503)
            #expect(try await client.token(realm: "master", form).status == 200)
        }
    }

    @Test func dropsTheConnection() async throws {
        try await withEmulator { emulator, client throws in
            emulator.failNext(1, with: .dropConnection)
            await #expect(throws: (any Error).self) {
                _ = try await client.admin(.GET, "/admin/realms/master/users/count", token: nil)
            }
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: nil).status == 401)
        }
    }

    @Test func addsLatency() async throws {
        try await withEmulator { emulator, client throws in
            emulator.setLatency(.milliseconds(300), for: .userCount)
            let clock = ContinuousClock()
            let slow = try await clock.measure {
                _ = try await client.admin(.GET, "/admin/realms/master/users/count", token: nil)
            }
            #expect(slow >= .milliseconds(300))
        }
    }

    @Test func stallsUntilReleased() async throws {
        try await withEmulator { emulator, client throws in
            emulator.stall(.userCount)
            async let stalled = client.admin(.GET, "/admin/realms/master/users/count", token: nil)
            while emulator.stalledCount < 1 { try await Task.sleep(for: .milliseconds(10)) }
            // Other endpoints still answer.
            #expect(try await client.admin(.GET, "/admin/realms/master/users", token: nil).status == 401)
            #expect(emulator.stalledCount == 1)
            emulator.releaseStalled()
            #expect(try await stalled.status == 401)
        }
    }

    @Test func stopsWhileRequestsAreStalled() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let clock = ContinuousClock()
        // Timed from the stop, not the start: a loaded machine starts the emulator slowly.
        // A stop that hangs is cut at stopTimeout: well past the bound, so it fails plainly.
        let (pending, stopping) = try await KeycloakEmulator.withRunning(stopTimeout: .seconds(15)) { emulator in
            emulator.stall()
            let client = RawClient(http: http, base: emulator.url)
            let task = Task { try? await client.admin(.GET, "/admin/realms/master/users/count", token: nil) }
            while emulator.stalledCount < 1 { try await Task.sleep(for: .milliseconds(10)) }
            return (task, clock.now)
        }
        _ = await pending.value
        #expect(clock.now - stopping < .seconds(5))
        try await http.shutdown()
    }

    @Test func instancesKeepTheirOwnStateAndPrefix() async throws {
        try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { old in
            try await withEmulator { modern, client throws in
                modern.addRealm(EmulatedRealm(name: "eu"))
                old.addRealm(EmulatedRealm(name: "us"))
                #expect(old.url != modern.url)
                let admin = try await client.passwordToken(username: "admin", password: "admin")
                #expect(try await client.admin(.GET, "/admin/realms/eu/users/count", token: admin).status == 200)
                // The other instance neither knows this token nor serves without /auth.
                let oldClient = RawClient(http: client.http, base: old.url)
                #expect(try await oldClient.admin(.GET, "/auth/admin/realms/us/users/count", token: admin).status == 401)
                #expect(try await oldClient.admin(.GET, "/admin/realms/us/users/count", token: admin).status == 404)
                #expect(old.requestCount(.userCount) == 1)
                #expect(modern.requestCount(.userCount) == 1)
            }
        }
    }
}
