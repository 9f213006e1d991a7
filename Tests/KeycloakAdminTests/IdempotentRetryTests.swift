import Foundation
import KeycloakEmulator
import NIOHTTP1
import Testing

@testable import KeycloakAdmin

/// Only a request that may be repeated goes again after a stale connection lost it: the
/// client's own requests all may, so this one is made by hand.
@Suite(.timeLimit(.minutes(1)))
struct IdempotentRetryTests {
    @Test func aPostThatIsNotIdempotentIsSentOnceOnly() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            let client = try UpstreamClient(origin: emulator.url, settings: settings(emulator))
            let logout = "/admin/realms/customers/users/\(aliceID)/logout"
            func send(_ request: UpstreamRequest) async throws(KeycloakError) -> Int {
                try await client.send(request, timeout: .seconds(5), realm: "customers").status
            }
            do {
                // Each time, a connection that has answered once, so that the next request reuses it.
                _ = try await send(UpstreamRequest(.GET, path: "/realms/customers", template: "/realms/{realm}"))
                emulator.failNext(1, with: .dropConnection, only: .logout)
                let error = await failure { try await send(UpstreamRequest(.POST, path: logout, template: "/admin/realms/{realm}/users/{id}/logout")) }
                #expect(error?.code == .upstreamUnavailable)
                #expect(emulator.requestCount(.logout) == 1)

                _ = try await send(UpstreamRequest(.GET, path: "/realms/customers", template: "/realms/{realm}"))
                emulator.failNext(1, with: .dropConnection, only: .logout)
                // Sent again, and answered (401: no token here).
                #expect(try await send(UpstreamRequest(.POST, path: logout, template: "/admin/realms/{realm}/users/{id}/logout", idempotent: true)) == 401)
                #expect(emulator.requestCount(.logout) == 3)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }
}
