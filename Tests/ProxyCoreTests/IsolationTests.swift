import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

/// A registry and router over `text`; everything is shut down afterwards.
private func withRouter(_ text: String, metrics: ProxyMetrics = .system, _ body: (ToolRouter) async throws -> Void) async throws {
    let config = try loadConfig(text, environment: testEnvironment).config
    let registry = try TenantRegistry(config: config, logger: quietLogger, metrics: metrics)
    let router = ToolRouter(registry: registry, audit: nil, logger: quietLogger)
    do {
        try await body(router)
    } catch {
        await registry.shutdown()
        throw error
    }
    await registry.shutdown()
}

private func sessions(_ router: ToolRouter, tenant: String) async throws -> ToolOutcome {
    try await router.call("get_user_sessions", arguments: ["user_id": .string(aliceID), "tenant": .string(tenant)], caller: .anonymous)
}

@Suite("Isolation between tenants", .timeLimit(.minutes(1)))
struct IsolationTests {
    @Test func aStalledTenantFailsItsCallersFastAndDoesNotSlowTheOther() async throws {
        try await withTwoEmulators { healthy, stalled in
            let text = configYAML(
                tenantYAML("eu", url: healthy.url),
                tenantYAML("us", url: stalled.url, """
                    timeouts: { connect: 2s, request: 2s }
                    limits: { max_in_flight: 2, max_queued: 2 }
                    breaker: { failures: 100 }
                    """))
            try await withRouter(text) { router in
                // Tokens first, so both tenants are warm.
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                #expect(errorCode(try await sessions(router, tenant: "us")) == nil)
                let sentBefore = stalled.requestCount(.userSessions)

                var unloaded: [Duration] = []
                for _ in 0..<20 {
                    let started = ContinuousClock.now
                    _ = try await sessions(router, tenant: "eu")
                    unloaded.append(ContinuousClock.now - started)
                }

                stalled.stall(.userSessions)
                let callers = 12
                try await withThrowingTaskGroup(of: (String?, Duration).self) { group in
                    let started = ContinuousClock.now
                    for _ in 0..<callers {
                        group.addTask {
                            let outcome = try await sessions(router, tenant: "us")
                            return (errorCode(outcome), ContinuousClock.now - started)
                        }
                    }
                    // While us's callers are stuck, eu answers as fast as before.
                    #expect(await eventually { stalled.stalledCount == 2 })
                    var loaded: [Duration] = []
                    for _ in 0..<20 {
                        let begun = ContinuousClock.now
                        let outcome = try await sessions(router, tenant: "eu")
                        #expect(errorCode(outcome) == nil)
                        loaded.append(ContinuousClock.now - begun)
                    }
                    // 3x the unloaded median, plus a little slack for a busy machine's noise on
                    // medians of a millisecond or two.
                    #expect(median(loaded) <= median(unloaded) * 3 + .milliseconds(20), "unloaded \(median(unloaded)), loaded \(median(loaded))")

                    var codes: [String: Int] = [:]
                    var fastRejections = 0
                    for try await (code, elapsed) in group {
                        codes[code ?? "ok", default: 0] += 1
                        // Refused without waiting: a refusal after a wait in the queue comes at the
                        // 2 s request timeout at the earliest, however fast the machine.
                        if code == "tenant_overloaded", elapsed < .seconds(2) { fastRejections += 1 }
                    }
                    #expect(Set(codes.keys).isSubset(of: ["tenant_overloaded", "upstream_timeout"]), "\(codes)")
                    #expect(codes.values.reduce(0, +) == callers)
                    // 2 in flight and 2 queued at most; everyone else is refused at once.
                    #expect(fastRejections >= callers - 4, "\(codes)")
                }
                // Only the calls holding a slot ever reached the stalled Keycloak.
                #expect(stalled.requestCount(.userSessions) - sentBefore <= 4)
                stalled.releaseStalled()
            }
        }
    }

    @Test func aCallWhoseReusedConnectionIsLostSucceedsAndTheRetryIsCounted() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedTenant(emulator)
            let prometheus = PrometheusMetrics()
            func retries() -> Double? {
                parsePrometheus(prometheus.render()).value(ProxyMetrics.Name.upstreamRetries, ["tenant": "eu"])
            }
            try await withRouter(configYAML(tenantYAML("eu", url: emulator.url)), metrics: prometheus.metrics) { router throws in
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                #expect(retries() == nil)
                emulator.failNext(1, with: .dropConnection, only: .userSessions)
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                #expect(retries() == 1)
                // The breaker saw an answer, not a failure.
                #expect(parsePrometheus(prometheus.render()).value(ProxyMetrics.Name.circuitOpen, ["tenant": "eu"]) == 0)
            }
        }
    }

    @Test func theBreakerFailsFastAfterConnectionFailuresAndProbesAfterTheCoolDown() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedTenant(emulator)
            let text = configYAML(tenantYAML("eu", url: emulator.url, "breaker: { failures: 3, cool_down: 1s }"))
            let prometheus = PrometheusMetrics()
            func gauge() -> Double? {
                parsePrometheus(prometheus.render()).value(ProxyMetrics.Name.circuitOpen, ["tenant": "eu"])
            }
            try await withRouter(text, metrics: prometheus.metrics) { router in
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                var sent = emulator.requestCount(.userSessions)

                // Each call's request is dropped, and so is its one retry.
                emulator.failNext(6, with: .dropConnection, only: .userSessions)
                for _ in 0..<3 {
                    #expect(errorCode(try await sessions(router, tenant: "eu")) == "upstream_unavailable")
                }
                #expect(emulator.requestCount(.userSessions) == sent + 6)
                #expect(gauge() == 1)
                sent += 6

                // Open: refused without a request.
                let refused = try await sessions(router, tenant: "eu")
                #expect(errorCode(refused) == "upstream_unavailable")
                #expect(refused.structuredContent["error"]?["retryable"] == true)
                let message = refused.structuredContent["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("circuit open after 3 connection failures; retrying Keycloak in 1s"), "\(message)")
                #expect(emulator.requestCount(.userSessions) == sent)

                // After the cool-down one probe goes; it fails, so the circuit opens again.
                try await Task.sleep(for: .milliseconds(1200))
                emulator.failNext(2, with: .dropConnection, only: .userSessions)
                #expect(errorCode(try await sessions(router, tenant: "eu")) == "upstream_unavailable")
                #expect(emulator.requestCount(.userSessions) == sent + 2)
                sent += 2
                #expect(errorCode(try await sessions(router, tenant: "eu")) == "upstream_unavailable")
                #expect(emulator.requestCount(.userSessions) == sent)

                // The next probe succeeds and closes it: calls flow again.
                try await Task.sleep(for: .milliseconds(1200))
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                #expect(errorCode(try await sessions(router, tenant: "eu")) == nil)
                #expect(emulator.requestCount(.userSessions) == sent + 2)
                #expect(gauge() == 0)
                let rejections = parsePrometheus(prometheus.render()).series(ProxyMetrics.Name.tenantRejections)
                #expect(rejections.map(\.labels) == [["tenant": "eu", "reason": "circuit_open"]])
                #expect(rejections.first?.value == 2)
            }
        }
    }
}
