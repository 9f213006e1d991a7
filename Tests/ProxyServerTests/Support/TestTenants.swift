import KeycloakAdmin
import KeycloakEmulator
import ProxyCore
import Testing

/// The proxy's service-account client in master of every emulated tenant.
let proxyClientID = "keycloak-mcp-proxy"
let proxySecret = "proxy-test-s3cret"

/// Seeds a tenant: realm `customers` with alice (two sessions), bob (one) and
/// break-glass-admin (one), realm `partner-acme` with erin, and the proxy's client.
/// User ids are `<prefix>-alice` and so on, so a test can tell tenants apart.
func seedTenant(_ emulator: KeycloakEmulator, idPrefix: String) throws {
    emulator.addRealm(EmulatedRealm(name: "customers"))
    emulator.addRealm(EmulatedRealm(name: "partner-acme"))
    try emulator.addClient(.publicClient("account-console"), realm: "customers")
    try emulator.addClient(.publicClient("account-console"), realm: "partner-acme")
    try emulator.addClient(.serviceAccount(proxyClientID, secret: proxySecret, roles: [.admin]), realm: "master")
    let users: [(String, String, Int)] = [("customers", "alice", 2), ("customers", "bob", 1), ("customers", "break-glass-admin", 1), ("partner-acme", "erin", 1)]
    for (realm, name, sessions) in users {
        try emulator.addUser(EmulatedUser(id: "\(idPrefix)-\(name)", username: name), realm: realm)
        for _ in 0..<sessions {
            try emulator.addSession(realm: realm, userID: "\(idPrefix)-\(name)", clientID: "account-console")
        }
    }
}

/// The tenant's config as `config.yaml` would give it: realms customers and partner-*,
/// master denied, break-glass-admin protected; `confirm`: the tools that need a person's yes.
func tenantConfig(
    _ name: String, _ emulator: KeycloakEmulator, secret: String = proxySecret, url: String? = nil,
    request: Duration = .seconds(5), protectedUsers: [String] = ["break-glass-admin"], confirm: Set<ToolName> = []
) -> TenantConfig {
    var tenant = TenantConfig(
        name: name,
        connection: ConnectionSettings(
            url: url ?? emulator.url,
            basePath: emulator.configuration.basePath,
            auth: AdminAuth(realm: "master", clientID: proxyClientID, grant: .clientCredentials(secret: Secret(secret))),
            timeouts: Timeouts(connect: .seconds(2), request: request)
        ),
        realms: RealmRules(
            defaultRealm: "customers", allowed: [RealmPattern("customers"), RealmPattern("partner-*")], denied: [RealmPattern("master")]),
        protectedUsers: protectedUsers
    )
    tenant.confirm = confirm
    return tenant
}

/// Runs `body` with two seeded emulators: `eu` (ids `eu-…`) and `us` under `/auth` (ids `us-…`).
func withTwoTenants<T>(_ body: (KeycloakEmulator, KeycloakEmulator) async throws -> T) async throws -> T {
    try await KeycloakEmulator.withRunning(.init()) { eu in
        try seedTenant(eu, idPrefix: "eu")
        return try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { us in
            try seedTenant(us, idPrefix: "us")
            return try await body(eu, us)
        }
    }
}

/// Online sessions of a user (offline ones are not ended by logout).
func onlineSessions(_ emulator: KeycloakEmulator, realm: String = "customers", _ userID: String) throws -> Int {
    try emulator.sessions(realm: realm, userID: userID).filter { !$0.offline }.count
}

/// Nothing reached either tenant: no admin token fetched, nobody logged out, no admin call at
/// all, alice keeps her two sessions on both.
func expectUntouched(_ eu: KeycloakEmulator, _ us: KeycloakEmulator, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (name, tenant) in [("eu", eu), ("us", us)] {
        #expect(tenant.requestCount(.token) == 0, "\(name): \(tenant.requestCounts)", sourceLocation: sourceLocation)
        #expect(tenant.requestCount(.logout) == 0, "\(name): \(tenant.requestCounts)", sourceLocation: sourceLocation)
        #expect(tenant.adminRequestCount == 0, "\(name): \(tenant.requestCounts)", sourceLocation: sourceLocation)
    }
    #expect(try onlineSessions(eu, "eu-alice") == 2, sourceLocation: sourceLocation)
    #expect(try onlineSessions(us, "us-alice") == 2, sourceLocation: sourceLocation)
}
