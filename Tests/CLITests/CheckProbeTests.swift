import Foundation
import KeycloakEmulator
import Testing

@Suite("keycloak-mcp-proxy check --probe", .timeLimit(.minutes(1)))
struct CheckProbeTests {
    @Test func probeReportsEachTenantAndTheBasePathToSet() async throws {
        try await KeycloakEmulator.withRunning { modern in
            try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { legacy in
                try await withTemporaryDirectory { dir in
                    try await probe(modern: modern.url, legacy: legacy.url, in: dir)
                }
            }
        }
    }

    /// `legacy` serves under /auth but is configured without it; `refused` has a wrong password.
    private func probe(modern: String, legacy: String, in dir: String) async throws {
        let file = dir + "/config.yaml"
        try """
            version: 1
            tenants:
              modern:
                url: "\(modern)"
                auth: { grant_type: password, username: admin, password: "${ADMIN_PASSWORD}" }
                default_realm: master
              legacy:
                url: "\(legacy)"
                auth: { grant_type: password, username: admin, password: "${ADMIN_PASSWORD}" }
                default_realm: master
              refused:
                url: "\(modern)"
                auth: { grant_type: password, username: admin, password: wrong-password }
                default_realm: master
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file, "--probe"], environment: ["ADMIN_PASSWORD": "admin"])
        #expect(result.status == 1)
        let probes = result.stdout.split(separator: "\n").filter { $0.hasPrefix("probe ") }.map(String.init)
        #expect(probes.count == 3)
        #expect(probes.first == "probe modern: ok: token issued, valid for 60s")
        #expect(probes.dropFirst().first?.hasPrefix("probe legacy: wrong base_path:") == true)
        #expect(probes.dropFirst().first?.hasSuffix("set base_path: \"/auth\"") == true)
        #expect(probes.last?.hasPrefix("probe refused: failed: upstream_auth_failed") == true)
        #expect(!result.stdout.contains("wrong-password") && !result.stderr.contains("wrong-password"))
    }

    @Test func probePostsAnEmptyExportToTheTraceCollector() async throws {
        try await KeycloakEmulator.withRunning { keycloak in
            try await withTemporaryDirectory { dir in
                // The emulator takes OTLP/HTTP exports at /v1/traces; under /auth nothing does.
                for (endpoint, expected) in [(keycloak.url, "ok: the collector answered 200"), (keycloak.url + "/auth", "failed: the collector answered 404 Not Found")] {
                    let file = dir + "/config.yaml"
                    try """
                        version: 1
                        tenants:
                          eu:
                            url: "\(keycloak.url)"
                            auth: { grant_type: password, username: admin, password: admin }
                            default_realm: master
                        telemetry:
                          otlp_endpoint: "\(endpoint)"
                        """.write(toFile: file, atomically: true, encoding: .utf8)
                    let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file, "--probe"])
                    let probes = result.stdout.split(separator: "\n").filter { $0.hasPrefix("probe ") }.map(String.init)
                    #expect(probes == ["probe eu: ok: token issued, valid for 60s", "probe telemetry \(endpoint)/v1/traces: \(expected)"], "\(result.stdout)")
                    #expect(result.status == (expected.hasPrefix("ok") ? 0 : 1))
                }
                #expect(keycloak.requestCount(.traceExport) == 1)
            }
        }
    }
}
