import Foundation
import Testing

/// The Kubernetes ConfigMap's config, exactly as the pod gets it, with the example Secret's
/// values as environment variables (as `envFrom` gives them): the proxy starts, is ready, takes
/// the agents' tokens, answers its own container health check, and drains on SIGTERM with exit 0.
/// The tenants' Keycloaks do not exist: readiness means the config is loaded, nothing more.
@Suite("deploy/kubernetes config serves", .timeLimit(.minutes(1)))
struct ConfigMapServeTests {
    @Test func theConfigMapConfigServesAndDrains() async throws {
        let config = try DeployManifests.configMapConfig()
        let environment = try DeployManifests.secretExampleEnvironment()
        #expect(config.hasPrefix("# keycloak-mcp-proxy config, version 1"))
        #expect(config.contains("listen: \"0.0.0.0:8080\""))
        #expect(environment["INCIDENT_BOT_TOKEN"] != nil && environment["KC_EU_CLIENT_SECRET"] != nil)
        try await withTemporaryDirectory { dir in
            // The mount path of the Deployment holds the same file name.
            let file = dir + "/config.yaml"
            try config.write(toFile: file, atomically: true, encoding: .utf8)
            let proxy = try ServedProxy(config: file, environment: environment)
            defer { proxy.stop() }
            let port = try await proxy.port()

            let ready = try await LoopbackHTTP.request(port: port, "GET", "/readyz")
            #expect(ready.status == 200)
            let alive = try await LoopbackHTTP.request(port: port, "GET", "/healthz")
            #expect(alive.status == 200)

            // The container's HEALTHCHECK command against the running proxy.
            let healthcheck = try await runProduct("keycloak-mcp-proxy", ["healthcheck", "--url", "http://127.0.0.1:\(port)/healthz"])
            #expect(healthcheck.status == 0, "\(healthcheck.stderr)")

            // The agents section is in force: a token from the Secret is accepted, none is refused.
            let list = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tenants","arguments":{}}}"#
            let headers = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]
            let anonymous = try await LoopbackHTTP.request(port: port, "POST", "/mcp", headers: headers, body: list)
            #expect(anonymous.status == 401)
            let token = try #require(environment["INCIDENT_BOT_TOKEN"])
            let agent = try await LoopbackHTTP.request(port: port, "POST", "/mcp", headers: headers.merging(["Authorization": "Bearer \(token)"]) { $1 }, body: list)
            #expect(agent.status == 200)
            #expect(agent.body.contains("sso.eu.example.com") || agent.body.contains("\\\"eu\\\""), "\(agent.body)")

            let status = try await proxy.terminate(within: .seconds(15))
            #expect(status == 0, "\(proxy.standardError)")
            for secret in environment.values {
                #expect(!proxy.standardError.contains(secret))
            }

            // Nothing listens any more: the health check says so and exits 1.
            let after = try await runProduct("keycloak-mcp-proxy", ["healthcheck", "--url", "http://127.0.0.1:\(port)/healthz", "--timeout", "2"])
            #expect(after.status == 1)
            #expect(after.stderr.hasPrefix("unhealthy: http://127.0.0.1:\(port)/healthz: cannot connect"), "\(after.stderr)")
        }
    }

    @Test func healthcheckRefusesAURLItCannotUse() async throws {
        let result = try await runProduct("keycloak-mcp-proxy", ["healthcheck", "--url", "https://127.0.0.1:8080/healthz"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("expected http://HOST:PORT/PATH"))
    }
}
