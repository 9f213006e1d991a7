import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

/// One line of the Prometheus text format: `name{label="value",...} number`.
struct PrometheusSample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// Parses the text exposition format (comments skipped; label values unescaped).
func parsePrometheus(_ text: String) -> [PrometheusSample] {
    var samples: [PrometheusSample] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else {
            samples.append(PrometheusSample(name: String(series), labels: [:], value: value))
            continue
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)...].dropLast()  // the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var index = rest.index(equals, offsetBy: 2)  // past ="
            var text = ""
            while rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                text.append(rest[index])
                index = rest.index(after: index)
            }
            labels[key] = text
            rest = rest[rest.index(after: index)...]
        }
        samples.append(PrometheusSample(name: String(series[..<brace]), labels: labels, value: value))
    }
    return samples
}

extension [PrometheusSample] {
    /// The value of the one series with exactly these labels, or nil.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series of a metric.
    func series(_ name: String) -> [PrometheusSample] {
        filter { $0.name == name }
    }
}

@Suite("Prometheus metrics after known traffic", .timeLimit(.minutes(1)))
struct MetricsTests {
    @Test func theRenderedTextCountsCallsDenialsTokensLatencyInFlightAndReloads() async throws {
        try await withTwoEmulators { eu, us in
            let dir = try TempDirectory()
            defer { dir.remove() }
            let text = routerConfig(eu: eu.url, us: us.url)
            let path = try dir.write("config.yaml", text)
            let loader = ConfigLoader(environment: testEnvironment)
            let prometheus = PrometheusMetrics()
            let registry = try TenantRegistry(config: try loader.load(path: path).config, logger: quietLogger, metrics: prometheus.metrics)
            let router = ToolRouter(registry: registry, audit: nil, logger: quietLogger)
            let reloader = ConfigReloader(path: path, loader: loader, registry: registry, pollInterval: .zero, reloadOnSIGHUP: false, logger: quietLogger)
            do {
                try await traffic(router, reloader: reloader, prometheus: prometheus, eu: eu, us: us, text: text, path: path)
            } catch {
                await registry.shutdown()
                throw error
            }
            await registry.shutdown()
        }
    }

    private func traffic(
        _ router: ToolRouter, reloader: ConfigReloader, prometheus: PrometheusMetrics, eu: KeycloakEmulator, us: KeycloakEmulator,
        text: String, path: String
    ) async throws {
        do {
            func call(_ tool: String, _ arguments: [String: JSONValue]) async throws -> ToolOutcome {
                try await router.call(tool, arguments: arguments, caller: .anonymous)
            }

            _ = try await call("get_user_sessions", ["user_id": .string(aliceID)])
            _ = try await call("get_user_sessions", ["user_id": .string(aliceID)])
            _ = try await call("logout_user", ["user_id": .string(bobID), "realm": "master"])
            _ = try await call("logout_user", ["user_id": .string(bobID), "tenant": "asia"])
            _ = try await call("logout_user", ["user_id": .string(bobID), "tenant": "wrong-secret"])
            _ = try await call("list_tenants", [:])
            _ = try? await call("nope", [:])

            us.stall(.userSessions)
            async let stalled = call("get_user_sessions", ["user_id": .string(aliceID), "tenant": "us"])
            #expect(await eventually { us.stalledCount == 1 })
            let during = parsePrometheus(prometheus.render())
            #expect(during.value(ProxyMetrics.Name.callsInFlight, ["tenant": "us"]) == 1)
            us.releaseStalled()
            #expect(errorCode(try await stalled) == nil)

            try (text + "\n  bad-key: 1\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(!reloader.reload())
            #expect(parsePrometheus(prometheus.render()).value(ProxyMetrics.Name.lastReloadSuccess) == 0)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(reloader.reload())

            let rendered = prometheus.render()
            let samples = parsePrometheus(rendered)
            let calls = ProxyMetrics.Name.toolCalls
            let expectedCalls: [([String: String], Double)] = [
                (["tenant": "eu", "tool": "get_user_sessions", "outcome": "ok"], 2),
                (["tenant": "eu", "tool": "logout_user", "outcome": "policy_denied"], 1),
                (["tenant": "", "tool": "logout_user", "outcome": "unknown_tenant"], 1),
                (["tenant": "wrong-secret", "tool": "logout_user", "outcome": "upstream_auth_failed"], 1),
                (["tenant": "", "tool": "list_tenants", "outcome": "ok"], 1),
                (["tenant": "", "tool": "unknown", "outcome": "unknown_tool"], 1),
                (["tenant": "us", "tool": "get_user_sessions", "outcome": "ok"], 1),
            ]
            for (labels, count) in expectedCalls {
                #expect(samples.value(calls, labels) == count, "\(labels)")
            }
            #expect(samples.series(calls).count == expectedCalls.count, "\(samples.series(calls))")

            #expect(samples.series(ProxyMetrics.Name.policyDenials).map(\.labels) == [["reason": "realm_denied"]])
            #expect(samples.value(ProxyMetrics.Name.policyDenials, ["reason": "realm_denied"]) == 1)

            let tokens = ProxyMetrics.Name.tokenFetches
            #expect(samples.value(tokens, ["tenant": "eu", "result": "ok"]) == 1)
            #expect(samples.value(tokens, ["tenant": "us", "result": "ok"]) == 1)
            #expect(samples.value(tokens, ["tenant": "wrong-secret", "result": "upstream_auth_failed"]) == 1)
            #expect(samples.series(tokens).count == 3)

            // One observation per admin API call: eu protects users, so each of its two calls
            // looked the user up and then listed sessions.
            let latency = ProxyMetrics.Name.upstreamDuration
            #expect(eu.adminRequestCount == 4)
            #expect(samples.value(latency + "_count", ["tenant": "eu"]) == 4)
            #expect(samples.value(latency + "_bucket", ["tenant": "eu", "le": "+Inf"]) == 4)
            #expect(samples.value(latency + "_count", ["tenant": "us"]) == 1)
            #expect((samples.value(latency + "_sum", ["tenant": "us"]) ?? 0) > 0)

            #expect(samples.value(ProxyMetrics.Name.callsInFlight, ["tenant": "us"]) == 0)
            #expect(samples.value(ProxyMetrics.Name.callsInFlight, ["tenant": "eu"]) == 0)

            #expect(samples.value(ProxyMetrics.Name.reloads, ["result": "failure"]) == 1)
            #expect(samples.value(ProxyMetrics.Name.reloads, ["result": "success"]) == 1)
            #expect(samples.value(ProxyMetrics.Name.lastReloadSuccess) == 1)

            #expect(!rendered.contains(proxySecret) && !rendered.contains("not-the-secret"))
        }
    }
}
