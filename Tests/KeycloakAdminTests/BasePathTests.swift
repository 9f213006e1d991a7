import KeycloakAdmin
import KeycloakEmulator
import Testing

/// Both URL prefixes, and the probe's hint when a tenant's base_path is the wrong one.
@Suite(.timeLimit(.minutes(1)))
struct BasePathTests {
    @Test(arguments: ["", "/auth"])
    func callsWorkUnderEitherPrefix(_ basePath: String) async throws {
        try await withTenant(.init(basePath: basePath)) { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(await client.probe() == .ok(tokenLifetime: .seconds(60)))
            let targets = emulator.requestLog.map(\.rawTarget)
            #expect(targets.contains("\(basePath)/admin/realms/customers/users/\(aliceID)/logout"))
            #expect(targets.contains("\(basePath)/realms/master/protocol/openid-connect/token"))
        }
    }

    @Test(arguments: [("", "/auth"), ("/auth", "")])
    func theProbeNamesTheRightBasePath(served: String, configured: String) async throws {
        try await withTenant(.init(basePath: served), adjust: { $0.basePath = configured }) { emulator, client throws in
            let result = await client.probe()
            #expect(result == .wrongBasePath(configured: configured, detected: served))
            #expect(result.description.contains("set base_path: \"\(served)\""))
            // A call with the wrong prefix says to check base_path.
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamError)
            #expect(error?.upstreamStatus == 404)
            #expect(error?.message.contains("base_path") == true)
        }
    }

    @Test func theProbeReportsBadCredentials() async throws {
        try await withTenant(adjust: { $0.auth.grant = .clientCredentials(secret: Secret("nope")) }) { _, client throws in
            let result = await client.probe()
            guard case .failed(let error) = result else {
                Issue.record("expected a failure, got \(result)")
                return
            }
            #expect(error.code == .upstreamAuthFailed)
            #expect(!result.description.contains("nope"))
        }
    }

    @Test func theProbeReportsAnUnreachableTenant() async throws {
        let stopped = try await KeycloakEmulator.withRunning { emulator in settings(emulator) }
        try await withClient(stopped) { client in
            let result = await client.probe()
            #expect(!result.isOK)
            guard case .failed(let error) = result else {
                Issue.record("expected a failure, got \(result)")
                return
            }
            #expect(error.code == .upstreamUnavailable)
        }
    }
}
