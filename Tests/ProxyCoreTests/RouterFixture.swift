import Foundation
import KeycloakEmulator
import Logging
import ProxyCore

let proxySecret = "router-test-s3cret"
let aliceID = "a11ce000-0000-4000-8000-000000000001"
let bobID = "b0b00000-0000-4000-8000-000000000002"
let breakGlassID = "b4ea6000-0000-4000-8000-000000000003"

/// Two emulated Keycloaks (`eu`, `us`), a router over a config naming them (plus tenants that
/// fail in known ways), and the audit lines the router wrote.
struct RouterFixture {
    let eu: KeycloakEmulator
    let us: KeycloakEmulator
    let router: ToolRouter
    let audit: AuditLog
    let auditPath: String

    /// The audit log's records so far, one JSON object per line (the queued ones written first).
    func auditRecords() throws -> [[String: Any]] {
        audit.flush()
        let text = try String(contentsOfFile: auditPath, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    func call(_ tool: String, _ arguments: [String: JSONValue], as caller: Caller = .anonymous) async throws -> ToolOutcome {
        try await router.call(tool, arguments: arguments, caller: caller)
    }

    /// The error code of a failed call, or nil when it succeeded.
    func code(_ tool: String, _ arguments: [String: JSONValue], as caller: Caller = .anonymous) async throws -> String? {
        let outcome = try await call(tool, arguments, as: caller)
        guard outcome.isError else { return nil }
        return outcome.structuredContent["error"]?["code"]?.stringValue
    }

    var adminRequests: Int { eu.adminRequestCount + us.adminRequestCount }
}

/// Realms `customers`, `partner-acme` (the proxy may manage both) and `partner-noroles` (it
/// may not), users alice, bob and break-glass-admin with sessions, and the proxy's client.
func seedTenant(_ emulator: KeycloakEmulator) throws {
    for realm in ["customers", "partner-acme", "partner-noroles"] {
        emulator.addRealm(EmulatedRealm(name: realm))
        try emulator.addClient(.publicClient("account-console"), realm: realm)
    }
    try emulator.addClient(
        .serviceAccount("keycloak-mcp-proxy", secret: proxySecret, roles: [
            .manageUsers("customers"), .viewUsers("customers"), .manageUsers("partner-acme"), .viewUsers("partner-acme"),
        ]),
        realm: "master"
    )
    for (id, name) in [(aliceID, "alice"), (bobID, "bob"), (breakGlassID, "break-glass-admin")] {
        for realm in ["customers", "partner-acme", "partner-noroles"] {
            try emulator.addUser(EmulatedUser(id: id, username: name), realm: realm)
            try emulator.addSession(realm: realm, userID: id, clientID: "account-console")
            try emulator.addSession(realm: realm, userID: id, clientID: "account-console")
        }
    }
}

func routerConfig(eu: String, us: String, extra: String = "") -> String {
    """
    version: 1
    default_tenant: eu
    tenants:
      eu:
        url: "\(eu)"
        auth: { client_id: keycloak-mcp-proxy, client_secret: "${PROXY_SECRET}" }
        default_realm: customers
        allowed_realms: [customers, "partner-*"]
        denied_realms: [master]
        protected_users: [break-glass-admin]
        timeouts: { connect: 10s, request: 10s }
      slow:
        url: "\(eu)"
        auth: { client_id: keycloak-mcp-proxy, client_secret: "${PROXY_SECRET}" }
        default_realm: customers
        timeouts: { connect: 5s, request: 1s }
      us:
        url: "\(us)"
        auth: { client_id: keycloak-mcp-proxy, client_secret: "${PROXY_SECRET}" }
        default_realm: customers
      wrong-secret:
        url: "\(eu)"
        auth: { client_id: keycloak-mcp-proxy, client_secret: not-the-secret }
        default_realm: customers
      unreachable:
        url: "http://127.0.0.1:1"
        auth: { client_id: keycloak-mcp-proxy, client_secret: x }
        default_realm: customers
        timeouts: { connect: 500ms, request: 1s }
    \(extra)
    """
}

var quietLogger: Logger {
    var logger = Logger(label: "router-test")
    logger.logLevel = .critical
    return logger
}

/// Runs `body` with two emulators and a router over them; everything is stopped afterwards.
func withRouter(agents: String = "", _ body: (RouterFixture) async throws -> Void) async throws {
    try await KeycloakEmulator.withRunning { eu in
        try await KeycloakEmulator.withRunning { us in
            try seedTenant(eu)
            try seedTenant(us)
            let dir = try TempDirectory()
            defer { dir.remove() }
            let text = routerConfig(eu: eu.url, us: us.url, extra: agents)
            let config = try loadConfig(text, environment: ["PROXY_SECRET": proxySecret], directory: dir.path).config
            let auditPath = dir.path + "/audit.jsonl"
            let registry = try TenantRegistry(config: config, logger: quietLogger)
            let audit = try AuditLog(.file(auditPath))
            let fixture = RouterFixture(eu: eu, us: us, router: ToolRouter(registry: registry, audit: audit, logger: quietLogger), audit: audit, auditPath: auditPath)
            do {
                try await body(fixture)
            } catch {
                await registry.shutdown()
                audit.close()
                throw error
            }
            await registry.shutdown()
            audit.close()
        }
    }
}
