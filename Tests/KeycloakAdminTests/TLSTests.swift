import KeycloakAdmin
import KeycloakEmulator
import Testing

/// HTTPS with a private CA trusted only through `caFile`, and mutual TLS.
@Suite(.timeLimit(.minutes(1)))
struct TLSTests {
    @Test func trustsThePrivateCAOnlyThroughCAFile() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let tls = try EmulatorTLS(certificateFile: pki.serverCertFile, privateKeyFile: pki.serverKeyFile)
        try await withTenant(.init(tls: tls), adjust: { $0.tls.caFile = pki.caFile }) { emulator, client throws in
            #expect(emulator.url.hasPrefix("https://127.0.0.1:"))
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(emulator.requestCount(.logout) == 1)
        }
        try await withTenant(.init(tls: tls)) { emulator, client throws in
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(emulator.requestCounts.isEmpty)
        }
    }

    @Test func presentsTheClientCertificateForMutualTLS() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let tls = try EmulatorTLS(
            certificateFile: pki.serverCertFile, privateKeyFile: pki.serverKeyFile, clientCAFile: pki.caFile)
        try await withTenant(
            .init(tls: tls),
            adjust: { $0.tls = TLSSettings(caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile) }
        ) { _, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
        }
        try await withTenant(.init(tls: tls), adjust: { $0.tls.caFile = pki.caFile }) { emulator, client throws in
            let error = await failure { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(error?.code == .upstreamUnavailable)
            #expect(emulator.requestCounts.isEmpty)
        }
    }
}
