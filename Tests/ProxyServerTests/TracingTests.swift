import Foundation
import KeycloakEmulator
import Logging
import NIOHTTP1
import ProxyCore
import ProxyServer
import TestSupport
import Testing

extension EndToEnd {
    /// DESIGN.md section 9: one trace across agent, proxy and Keycloak, exported over OTLP/HTTP to
    /// a collector on loopback; a collector that is down costs the calls nothing.
    @Suite("Traces across agent, proxy and Keycloak", .timeLimit(.minutes(2)))
    struct TracingTests {
        /// Spans leave within tens of milliseconds, so a test waits little.
        static var quick: Telemetry.Batching {
            var batching = Telemetry.Batching()
            batching.scheduleDelay = .milliseconds(20)
            batching.exportTimeout = .milliseconds(500)
            return batching
        }

        static func traceparent(_ trace: String, _ span: String) -> String { "00-\(trace)-\(span)-01" }

        /// `keycloak_mcp_proxy_spans_dropped_total` once each of `spans` spans has reached
        /// `collector` or been counted as dropped (or 20 s have passed).
        static func dropped(accountingFor spans: Int, collector: OTLPReceiver, client: MCPTestClient) async throws -> Int {
            var dropped = 0
            let deadline = ContinuousClock.now + .seconds(20)
            repeat {
                if ContinuousClock.now > deadline { break }
                try await Task.sleep(for: .milliseconds(50))
                dropped = Int(metricSample(try await client.send(.GET, path: "/metrics", headers: []).body, ProxyMetrics.Name.spansDropped) ?? 0)
            } while collector.received.count + dropped < spans
            return dropped
        }

        @Test func oneCallIsOneTraceAcrossAgentProxyAndKeycloak() async throws {
            let modernTrace = "4bf92f3577b34da6a3ce929d0e0e4736", modernParent = "00f067aa0ba902b7"
            let legacyTrace = "0af7651916cd43dd8448eb211c80319c", legacyParent = "b7ad6b7169203331"
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                try await OTLPReceiver.withRunning { collector, url in
                    let prometheus = PrometheusMetrics()
                    let capture = LogCapture()
                    let logger = capture.logger(metadataProvider: RequestID.metadataProvider)
                    let telemetry = try Telemetry.make(
                        TelemetrySettings(otlpEndpoint: url, serviceName: "proxy-under-test"), metrics: prometheus.metrics, logger: logger,
                        batching: Self.quick)
                    let records = try await withAuditFile { audit in
                        try await withProxy(
                            proxyConfig([tenantConfig("eu", eu)]), audit: audit.log, telemetry: telemetry, prometheus: prometheus, logger: logger
                        ) { client in
                            let token = TestAgent.incidentBot.token
                            // MCP 2026-07-28: the client's context in `_meta`; a header that says
                            // otherwise loses to it.
                            guard case .object(var meta) = MCPTestClient.modernMeta() else { return }
                            meta["traceparent"] = .string(Self.traceparent(modernTrace, modernParent))
                            let arguments: [String: JSONValue] = ["name": "logout_user", "arguments": ["user_id": "eu-alice"]]
                            let reply = try await client.send(
                                headers: MCPTestClient.headers(token: token) + MCPTestClient.modernHeaders("tools/call", arguments)
                                    + [("traceparent", Self.traceparent(legacyTrace, modernParent))],
                                body: Array(MCPTestClient.modernBody("tools/call", arguments, meta: .object(meta)).utf8))
                            #expect(reply.json["result"]["isError"].bool != true, "\(reply.body)")
                            #expect(try onlineSessions(eu, "eu-alice") == 0)
                            // An earlier revision over HTTP: the `traceparent` header. It fails.
                            let failed = try await client.post(
                                JSONValue.object([
                                    "jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                    "params": ["name": "logout_user", "arguments": ["username": "nobody"]],
                                ]).jsonText,
                                token: token, extraHeaders: [("traceparent", Self.traceparent(legacyTrace, legacyParent))])
                            #expect(failed.json["result"]["isError"].bool == true, "\(failed.body)")
                            // No context at all: a trace of its own.
                            _ = try await client.callTool("list_tenants", [:], token: token)
                            // A malformed one: a trace of its own too, and nothing above debug in the log.
                            let malformed = try await client.post(
                                JSONValue.object(["jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["name": "list_tenants"]]).jsonText,
                                token: token, extraHeaders: [("traceparent", "00-not-a-trace-context"), ("tracestate", String(repeating: "x=1,", count: 2000))])
                            #expect(malformed.json["result"]["isError"].bool == false, "\(malformed.body)")
                            #expect(await eventually(within: 10) { collector.received.filter { $0.name.hasPrefix("tools/call") }.count == 4 })
                        }
                        return try audit.records()
                    }
                    let spans = collector.received

                    // The logout: a child of the client's span, with its token fetch and admin request.
                    let call = try #require(spans.first { $0.name == "tools/call logout_user" && $0.traceID == modernTrace }, "\(spans.map(\.name))")
                    #expect(call.parentSpanID == modernParent)
                    #expect(call.serviceName == "proxy-under-test")
                    #expect(call.attributes["mcp.method.name"] == "tools/call")
                    #expect(call.attributes["gen_ai.tool.name"] == "logout_user")
                    #expect(call.attributes["keycloak.tenant"] == "eu")
                    #expect(call.attributes["keycloak.realm"] == "customers")
                    #expect(call.attributes["keycloak_mcp.agent"] == TestAgent.incidentBot.name)
                    #expect(call.attributes["keycloak_mcp.outcome"] == "ok")
                    #expect(call.attributes["error.type"] == nil)
                    #expect(!call.isError)
                    let fetch = try #require(spans.first { $0.name == "admin token fetch" }, "\(spans.map(\.name))")
                    #expect(fetch.traceID == modernTrace && fetch.parentSpanID == call.spanID)
                    #expect(fetch.attributes["keycloak.realm"] == "master")
                    let tokenRequest = try #require(spans.first { $0.parentSpanID == fetch.spanID }, "no request span under the token fetch")
                    // The protected-user check looks the user up (GET), then the logout (POST).
                    let requestSpans = spans.filter { $0.parentSpanID == call.spanID && $0.spanID != fetch.spanID }
                    #expect(requestSpans.map(\.name).sorted() == ["GET /admin/realms/{realm}/users/{id}", "POST /admin/realms/{realm}/users/{id}/logout"])
                    let logout = try #require(requestSpans.first { $0.name.hasPrefix("POST") }, "no admin request span under the call")
                    #expect(logout.attributes["http.request.method"] == "POST")
                    #expect(logout.attributes["url.template"] == "/admin/realms/{realm}/users/{id}/logout")
                    #expect(logout.attributes["keycloak.realm"] == "customers")
                    #expect(logout.attributes["http.response.status_code"] == "204")
                    #expect(logout.attributes["server.address"] == "127.0.0.1")
                    #expect(tokenRequest.name == "POST /realms/{realm}/protocol/openid-connect/token")
                    #expect(logout.traceID == modernTrace)
                    #expect(logout.kind.contains("client") && tokenRequest.kind.contains("client"), "\(logout.kind), \(tokenRequest.kind)")

                    // Keycloak heard of each request's own span.
                    let requests = eu.requestLog
                    let logoutRequest = try #require(requests.first { $0.kind == .logout })
                    #expect(logoutRequest.traceparent == Self.traceparent(modernTrace, logout.spanID))
                    let tokenRequestSeen = try #require(requests.first { $0.kind == .token })
                    #expect(tokenRequestSeen.traceparent == Self.traceparent(modernTrace, tokenRequest.spanID))

                    // The failed call: its code and an error status.
                    let failedCall = try #require(spans.first { $0.name == "tools/call logout_user" && $0.traceID == legacyTrace })
                    #expect(failedCall.parentSpanID == legacyParent)
                    #expect(failedCall.isError)
                    #expect(failedCall.attributes["error.type"] == "user_not_found")
                    #expect(failedCall.attributes["keycloak_mcp.outcome"] == "error")
                    #expect(spans.contains { $0.parentSpanID == failedCall.spanID }, "the user search has a span of its own")

                    // A call without a usable context starts a trace.
                    let listed = spans.filter { $0.name == "tools/call list_tenants" }
                    #expect(listed.count == 2 && listed.allSatisfy { $0.parentSpanID.isEmpty && ![modernTrace, legacyTrace].contains($0.traceID) })
                    #expect(Set(listed.map(\.traceID)).count == 2)

                    // The audit records and the log lines of a call name its trace.
                    #expect(records.prefix(2).map { $0["trace_id"].string } == [modernTrace, legacyTrace])
                    #expect(Set(records.dropFirst(2).compactMap { $0["trace_id"].string }) == Set(listed.map(\.traceID)))
                    let fetched = try #require(capture.all.first { $0.message == "admin token fetched" })
                    #expect(fetched.metadata["trace_id"] == .string(modernTrace))
                    #expect(fetched.metadata["request_id"] != nil)
                    let loud = capture.all.filter { $0.level > .info }
                    #expect(loud.isEmpty, "\(loud.map(\.message))")

                    // No span carries a secret, a token (the agent's, or a JWT such as the admin token), a
                    // user id or a username.
                    for span in spans {
                        for value in [span.name] + Array(span.attributes.values) {
                            for hidden in [proxySecret, TestAgent.incidentBot.token, "eyJ", "alice", "nobody"] {
                                #expect(!value.contains(hidden), "\(span.name): \(value)")
                            }
                        }
                    }
                }
            }
        }

        @Test func everyWayACallEndsMarksItsSpan() async throws {
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                try await OTLPReceiver.withRunning { collector, url in
                    let telemetry = try Telemetry.make(
                        TelemetrySettings(otlpEndpoint: url), metrics: PrometheusMetrics().metrics, logger: quietLogger, batching: Self.quick)
                    try await withProxy(proxyConfig([tenantConfig("eu", eu)]), telemetry: telemetry) { client in
                        let token = TestAgent.incidentBot.token
                        // Rejected as JSON-RPC errors: a tool that does not exist, arguments of the wrong type.
                        #expect(try await client.rpc("tools/call", ["name": "drop_database", "arguments": [:]], token: token).json["error"].exists)
                        #expect(try await client.rpc("tools/call", ["name": "logout_user", "arguments": ["user_id": 5]], token: token).json["error"].exists)
                        // Refused by policy: nothing reaches Keycloak.
                        let denied = try await client.callTool("logout_user", ["user_id": "eu-bob", "realm": "master"], token: token)
                        #expect(denied["isError"].bool == true)
                        #expect(eu.requestCount(.logout) == 0)
                        #expect(await eventually(within: 10) { collector.received.count == 3 })
                    }
                    let spans = collector.received
                    let unknown = try #require(spans.first { $0.name == "tools/call" }, "\(spans.map(\.name))")
                    #expect(unknown.isError && unknown.attributes["error.type"] == "unknown_tool")
                    #expect(unknown.attributes["gen_ai.tool.name"] == "drop_database" && unknown.attributes["keycloak_mcp.outcome"] == "error")
                    let calls = spans.filter { $0.name == "tools/call logout_user" }
                    #expect(calls.count == 2 && calls.allSatisfy(\.isError))
                    #expect(Set(calls.compactMap { $0.attributes["keycloak_mcp.outcome"] }) == ["error", "denied"])
                    let refused = try #require(calls.first { $0.attributes["keycloak_mcp.outcome"] == "denied" })
                    #expect(refused.attributes["keycloak.tenant"] == "eu" && refused.attributes["keycloak.realm"] == "master")
                    #expect(refused.attributes["error.type"] != nil)
                    #expect(calls.contains { $0.attributes["error.type"] == "invalid_params" })
                }
            }
        }

        @Test func anOutageIsOneWarningAndItsEndOneLine() async throws {
            let capture = LogCapture()
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                try await OTLPReceiver.withRunning { collector, url in
                    let prometheus = PrometheusMetrics()
                    let telemetry = try Telemetry.make(
                        TelemetrySettings(otlpEndpoint: url), metrics: prometheus.metrics, logger: capture.logger, batching: Self.quick)
                    let tenant = tenantConfig("eu", eu, protectedUsers: [])
                    try await withProxy(proxyConfig([tenant]), telemetry: telemetry, prometheus: prometheus) { client in
                        let token = TestAgent.incidentBot.token
                        func dropped() async throws -> Double {
                            metricSample(try await client.send(.GET, path: "/metrics", headers: []).body, ProxyMetrics.Name.spansDropped) ?? 0
                        }
                        collector.failing = true
                        for _ in 0..<10 {
                            #expect(try await client.callTool("logout_user", ["user_id": "eu-bob"], token: token)["isError"].bool == false)
                        }
                        // Ten calls' spans and the token fetch's two, in batches the collector refused.
                        let deadline = ContinuousClock.now + .seconds(20)
                        while try await dropped() < 22, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                        #expect(try await dropped() == 22)
                        #expect(collector.received.isEmpty)

                        collector.failing = false
                        for _ in 0..<10 {
                            #expect(try await client.callTool("logout_user", ["user_id": "eu-bob"], token: token)["isError"].bool == false)
                        }
                        #expect(await eventually(within: 20) { collector.received.count == 20 })
                        #expect(try await dropped() == 22)
                    }
                }
            }
            let warnings = capture.all.filter { $0.level == .warning }
            #expect(warnings.count == 1, "\(warnings.map(\.message))")
            let recovered = capture.all.filter { $0.message == "trace export works again" }
            #expect(recovered.count == 1)
            #expect(recovered.first?.metadata["spans_dropped"] == .string("22"))
        }

        @Test func aCollectorThatFallsBehindLosesCountedSpansWithoutAnOutage() async throws {
            let capture = LogCapture()
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                // Each export waits 100 ms; the queue holds 4 spans and sends 2 at a time.
                try await OTLPReceiver.withRunning(delay: .milliseconds(100)) { collector, url in
                    var batching = Self.quick
                    batching.maxQueueSize = 4
                    let prometheus = PrometheusMetrics()
                    let telemetry = try Telemetry.make(
                        TelemetrySettings(otlpEndpoint: url), metrics: prometheus.metrics, logger: capture.logger, batching: batching)
                    let tenant = tenantConfig("eu", eu, protectedUsers: [])
                    try await withProxy(proxyConfig([tenant]), telemetry: telemetry, prometheus: prometheus) { client in
                        let calls = 40
                        for _ in 0..<calls {
                            #expect(try await client.callTool("logout_user", ["user_id": "eu-bob"], token: TestAgent.incidentBot.token)["isError"].bool == false)
                        }
                        // Every span either reached the collector or is counted.
                        let spans = 2 * calls + 2
                        let dropped = try await Self.dropped(accountingFor: spans, collector: collector, client: client)
                        #expect(collector.received.count + dropped == spans)
                        #expect(dropped > 0)
                    }
                }
            }
            // One warning for the lot, and none of an outage.
            let warnings = capture.all.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.count == 1 && warnings.first?.hasPrefix("spans dropped: more spans than the trace exporter keeps up with") == true, "\(warnings)")
            #expect(!capture.all.contains { $0.message == "trace export works again" })
        }

        @Test func spansACollectorRefusesAreCountedAndSaidOnceEvenWithOTELLogLevelError() async throws {
            let capture = LogCapture()
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                try await OTLPReceiver.withRunning { collector, url in
                    collector.rejectingPerExport = 1
                    let prometheus = PrometheusMetrics()
                    // swift-otel sets its diagnostic logger's level from OTEL_LOG_LEVEL when the
                    // backend is made: at error it would hide the partial successes (warning).
                    setenv("OTEL_LOG_LEVEL", "error", 1)
                    let made = Result { () throws(ServeError) in
                        try Telemetry.make(TelemetrySettings(otlpEndpoint: url), metrics: prometheus.metrics, logger: capture.logger, batching: Self.quick)
                    }
                    unsetenv("OTEL_LOG_LEVEL")
                    let telemetry = try made.get()
                    let tenant = tenantConfig("eu", eu, protectedUsers: [])
                    try await withProxy(proxyConfig([tenant]), telemetry: telemetry, prometheus: prometheus) { client in
                        for _ in 0..<10 {
                            #expect(try await client.callTool("logout_user", ["user_id": "eu-bob"], token: TestAgent.incidentBot.token)["isError"].bool == false)
                        }
                        // Ten calls' spans and the token fetch's two: each either kept or refused and counted.
                        let spans = 22
                        let dropped = try await Self.dropped(accountingFor: spans, collector: collector, client: client)
                        #expect(collector.rejected > 0)
                        #expect(dropped == collector.rejected)
                        #expect(collector.received.count + collector.rejected == spans)
                    }
                }
            }
            // One warning for the lot: the collector answers, so this is no outage.
            let warnings = capture.all.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.count == 1 && warnings.first?.hasPrefix("spans dropped: the collector refused some spans") == true, "\(warnings)")
            #expect(!capture.all.contains { $0.message.hasPrefix("trace export failing") })
        }

        /// How a collector fails.
        enum CollectorFault: CaseIterable {
            /// Nothing listens: connections are refused.
            case refused
            /// It takes each request and never answers.
            case silent
        }

        @Test(arguments: CollectorFault.allCases)
        func aCollectorThatIsDownCostsTheCallsNothingButCountedSpans(_ fault: CollectorFault) async throws {
            switch fault {
            case .refused:
                // A port a collector listened on a moment ago.
                let closed = try await OTLPReceiver.withRunning { _, url in url }
                try await Self.thousandCalls(collector: closed)
            case .silent:
                try await OTLPReceiver.withRunning(answering: false) { _, url in try await Self.thousandCalls(collector: url) }
            }
        }

        /// 1,000 logouts with `collector` failing: every one succeeds, every span is counted as
        /// dropped, and the log has one warning about it.
        static func thousandCalls(collector: String) async throws {
            let capture = LogCapture()
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                let prometheus = PrometheusMetrics()
                let telemetry = try Telemetry.make(
                    TelemetrySettings(otlpEndpoint: collector), metrics: prometheus.metrics, logger: capture.logger, batching: Self.quick)
                let tenant = tenantConfig("eu", eu, protectedUsers: [])
                try await withProxy(proxyConfig([tenant]), connections: 16, telemetry: telemetry, prometheus: prometheus) { client in
                    let calls = 1000
                    let succeeded = try await withThrowingTaskGroup(of: Bool.self, returning: Int.self) { group in
                        var succeeded = 0
                        for index in 0..<calls {
                            if index >= 16, try await group.next() == true { succeeded += 1 }
                            group.addTask {
                                let result = try await client.callTool("logout_user", ["user_id": "eu-bob"], token: TestAgent.incidentBot.token)
                                return result["isError"].bool == false
                            }
                        }
                        for try await ok in group where ok { succeeded += 1 }
                        return succeeded
                    }
                    #expect(succeeded == calls)
                    #expect(eu.requestCount(.logout) == calls)
                    // Each call's span and its admin request's, and the one token fetch with its request.
                    let expected = Double(2 * calls + 2)
                    var dropped: Double?
                    let deadline = ContinuousClock.now + .seconds(30)
                    while dropped != expected, ContinuousClock.now < deadline {
                        if dropped != nil { try await Task.sleep(for: .milliseconds(50)) }
                        dropped = metricSample(try await client.send(.GET, path: "/metrics", headers: []).body, ProxyMetrics.Name.spansDropped) ?? 0
                    }
                    #expect(dropped == expected)
                }
                let warnings = capture.all.filter { $0.level == .warning }
                #expect(warnings.count == 1, "\(warnings.map(\.message))")
                #expect(warnings.first?.message.contains("trace export failing") == true)
            }
        }
    }
}
