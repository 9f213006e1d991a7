import Foundation
import KeycloakEmulator
import Testing

@Suite("keycloak-mcp-proxy check --probe", .timeLimit(.minutes(1)))
struct CheckProbeTests {
    @Test func probeReportsEachTenantAndTheBasePathToSet() async throws {
        try await KeycloakEmulator.withRunning { modern in
            try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { legacy in
                let dir = NSTemporaryDirectory() + "kmp-probe-" + UUID().uuidString
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let file = dir + "/config.yaml"
                try """
                    version: 1
                    tenants:
                      modern:
                        url: "\(modern.url)"
                        auth: { grant_type: password, username: admin, password: "${ADMIN_PASSWORD}" }
                        default_realm: master
                      legacy:
                        url: "\(legacy.url)"
                        auth: { grant_type: password, username: admin, password: "${ADMIN_PASSWORD}" }
                        default_realm: master
                      refused:
                        url: "\(modern.url)"
                        auth: { grant_type: password, username: admin, password: wrong-password }
                        default_realm: master
                    """.write(toFile: file, atomically: true, encoding: .utf8)
                let result = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file, "--probe"], environment: ["ADMIN_PASSWORD": "admin"])
                #expect(result.status == 1)
                let probes = result.stdout.split(separator: "\n").filter { $0.hasPrefix("probe ") }.map(String.init)
                #expect(probes.count == 3)
                #expect(probes[0] == "probe modern: ok: token issued, valid for 60s")
                #expect(probes[1].hasPrefix("probe legacy: wrong base_path:"))
                #expect(probes[1].hasSuffix("set base_path: \"/auth\""))
                #expect(probes[2].hasPrefix("probe refused: failed: upstream_auth_failed"))
                #expect(!result.stdout.contains("wrong-password") && !result.stderr.contains("wrong-password"))
            }
        }
    }
}
