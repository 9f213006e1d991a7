import Foundation
import KeycloakEmulator
import ProxyCore

/// One tenant's lines in a test config: `url` with the proxy's client and secret.
func tenantYAML(_ name: String, url: String, _ extra: String = "") -> String {
    var text = """
          \(name):
            url: "\(url)"
            auth: { client_id: keycloak-mcp-proxy, client_secret: "${PROXY_SECRET}" }
            default_realm: customers

        """
    for line in extra.split(separator: "\n") {
        text += "    \(line)\n"
    }
    return text
}

/// A whole config: `default_tenant` (when given) and the tenants' lines.
func configYAML(defaultTenant: String? = nil, _ tenants: String...) -> String {
    "version: 1\n" + (defaultTenant.map { "default_tenant: \($0)\n" } ?? "") + "tenants:\n" + tenants.joined()
}

let testEnvironment = ["PROXY_SECRET": proxySecret]

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The error code of a failed outcome, or nil for a success.
func errorCode(_ outcome: ToolOutcome) -> String? {
    outcome.isError ? outcome.structuredContent["error"]?["code"]?.stringValue : nil
}

/// The median of some durations.
func median(_ values: [Duration]) -> Duration {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Two seeded emulators, for tests that make their own registry.
func withTwoEmulators(_ body: (KeycloakEmulator, KeycloakEmulator) async throws -> Void) async throws {
    try await KeycloakEmulator.withRunning { eu in
        try await KeycloakEmulator.withRunning { us in
            try seedTenant(eu)
            try seedTenant(us)
            try await body(eu, us)
        }
    }
}
