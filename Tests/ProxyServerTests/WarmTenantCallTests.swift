import Foundation
import KeycloakEmulator
import ProxyCore
@testable import ProxyServer
import TestSupport
import Testing

extension EndToEnd {
    /// Calls on a tenant whose token is cached and whose connections are open, over one raw
    /// keep-alive client connection: each of Keycloak's answers and failures, the retries, the
    /// timeout and the breaker.
    @Suite("Calls on a warm tenant", .timeLimit(.minutes(1)))
    struct WarmTenantCalls {
        /// `logout_user` of `user` on tenant eu, as JSON-RPC request `id`.
        static func logout(_ user: String, id: Int) -> String {
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","user_id":"\#(user)"}}}"#
        }

        /// The structured content of the next answer on `connection`, which answers request `id`.
        static func result(_ connection: RawHTTPConnection, id: Int) async throws -> JSON {
            let answer = await connection.readResponse()
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer)")
            let body = try #require(answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) })
            let reply = JSON(text: body)
            #expect(reply["id"].int == id, "\(answer)")
            return reply["result"]["structuredContent"]
        }

        /// Serves tenant eu (without protected users unless given; `request`: its request
        /// timeout), warms it up on connections of their own (the first call fetches the token;
        /// calls at once open more than one connection to Keycloak), and runs `body` with a new
        /// connection.
        func withWarmTenant(
            request: Duration = .seconds(5), breaker: BreakerSettings? = nil, protectedUsers: [String] = [],
            _ body: (KeycloakEmulator, RawHTTPConnection) async throws -> Void
        ) async throws {
            try await withTwoTenants { eu, _ in
                var tenant = tenantConfig("eu", eu, request: request, protectedUsers: protectedUsers)
                if let breaker { tenant.breaker = breaker }
                try await withListener(proxyConfig([tenant])) { _, port in
                    var warm: [RawHTTPConnection] = []
                    for _ in 0..<4 {
                        let connection = try RawHTTPConnection(port: port)
                        try connection.send(RawHTTPConnection.post(Self.logout("eu-erin", id: 1)))
                        _ = try await Self.result(connection, id: 1)
                        warm.append(connection)
                    }
                    // Calls at once: more than one connection to Keycloak, for a test that loses one.
                    for connection in warm { try connection.send(RawHTTPConnection.post(Self.logout("eu-erin", id: 1))) }
                    for connection in warm { _ = try await Self.result(connection, id: 1) }
                    #expect(eu.requestCount(.token) == 1)
                    // Reads wait up to 15 s, beyond any bound on a wait checked here.
                    try await body(eu, try RawHTTPConnection(port: port, timeout: .seconds(15)))
                }
            }
        }

        @Test("a logout by id: the user's sessions end, with one request to Keycloak")
        func answered() async throws {
            try await withWarmTenant { eu, connection in
                eu.resetRequestLog()
                try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                let result = try await Self.result(connection, id: 2)
                #expect(result["status"].string == "success", "\(result)")
                #expect(result["user_id"].string == "eu-alice")
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                #expect(eu.adminRequestCount == 1)
                // Pipelined: each answered in order.
                try connection.send(RawHTTPConnection.post(Self.logout("eu-bob", id: 3)) + RawHTTPConnection.post(Self.logout("eu-alice", id: 4)))
                #expect(try await Self.result(connection, id: 3)["user_id"].string == "eu-bob")
                #expect(try onlineSessions(eu, "eu-bob") == 0)
            }
        }

        /// A `tools/call` of `tool` on tenant eu with `arguments` (JSON members), as request `id`.
        static func call(_ tool: String, _ arguments: String, id: Int) -> String {
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":{"tenant":"eu",\#(arguments)}}}"#
        }

        @Test("with a lookup first: by username, by id on a tenant that protects users, a dry run, the sessions")
        func lookups() async throws {
            try await withWarmTenant(protectedUsers: ["break-glass-admin"]) { eu, connection in
                eu.resetRequestLog()
                try connection.send(RawHTTPConnection.post(Self.call("logout_user", #""username":"alice""#, id: 2)))
                var result = try await Self.result(connection, id: 2)
                #expect(result["status"].string == "success" && result["user_id"].string == "eu-alice", "\(result)")
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                #expect(eu.requestCount(.userSearch) == 1 && eu.requestCount(.logout) == 1)

                try connection.send(RawHTTPConnection.post(Self.call("logout_user", #""user_id":"eu-bob""#, id: 3)))
                result = try await Self.result(connection, id: 3)
                #expect(result["status"].string == "success" && result["username"].string == "bob", "\(result)")
                #expect(try onlineSessions(eu, "eu-bob") == 0)
                #expect(eu.requestCount(.user) == 1 && eu.requestCount(.logout) == 2)

                try connection.send(RawHTTPConnection.post(Self.call("logout_user", #""user_id":"eu-break-glass-admin""#, id: 4)))
                result = try await Self.result(connection, id: 4)
                #expect(result["error"]["code"].string == "protected_user", "\(result)")
                #expect(eu.requestCount(.user) == 2 && eu.requestCount(.logout) == 2, "looked up, never logged out")

                try connection.send(RawHTTPConnection.post(Self.call("logout_user", #""username":"nobody""#, id: 5)))
                #expect(try await Self.result(connection, id: 5)["error"]["code"].string == "user_not_found")

                try connection.send(RawHTTPConnection.post(Self.call("logout_user", #""username":"erin","realm":"partner-acme","dry_run":true"#, id: 6)))
                result = try await Self.result(connection, id: 6)
                #expect(result["status"].string == "dry_run" && result["sessions"].int == 1, "\(result)")
                #expect(try onlineSessions(eu, realm: "partner-acme", "eu-erin") == 1)

                try connection.send(RawHTTPConnection.post(Self.call("get_user_sessions", #""username":"erin","realm":"partner-acme""#, id: 7)))
                result = try await Self.result(connection, id: 7)
                #expect(result["count"].int == 1 && result["sessions"][0]["user_id"].string == "eu-erin", "\(result)")
                #expect(eu.requestCount(.logout) == 2)
            }
        }

        @Test("Keycloak's refusals map to their codes", arguments: [
            (InjectedFailure.status(404, body: #"{"error":"User not found"}"#), "user_not_found", 404),
            (.status(403, body: #"{"error":"HTTP 403 Forbidden"}"#), "upstream_forbidden", 403),
            (.status(500, body: #"{"error":"unknown_error"}"#), "upstream_error", 500),
        ])
        func refusals(failure: InjectedFailure, code: String, status: Int) async throws {
            try await withWarmTenant { eu, connection in
                eu.failNext(1, with: failure, only: .logout)
                try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                let result = try await Self.result(connection, id: 2)
                #expect(result["error"]["code"].string == code, "\(result)")
                #expect(result["error"]["upstream_status"].int == status, "\(result)")
                #expect(try onlineSessions(eu, "eu-alice") == 2)
            }
        }

        @Test("a revoked token: the call fetches a new one, goes again, and succeeds; the log says so, with the audit record's request id")
        func revokedToken() async throws {
            let logs = LogCapture()
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let auditPath = directory.appendingPathComponent("audit.jsonl").path
            let audit = try AuditLog(.file(auditPath))
            try await withTwoTenants { eu, _ in
                let config = proxyConfig([tenantConfig("eu", eu, protectedUsers: [])])
                try await withListener(config, logger: logs.logger(metadataProvider: RequestID.metadataProvider), audit: audit) { http, port in
                    let connection = try RawHTTPConnection(port: port)
                    try connection.send(RawHTTPConnection.post(Self.logout("eu-erin", id: 1)))
                    _ = try await Self.result(connection, id: 1)
                    eu.revokeAllTokens()
                    try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                    let result = try await Self.result(connection, id: 2)
                    #expect(result["status"].string == "success", "\(result)")
                    #expect(try onlineSessions(eu, "eu-alice") == 0)
                    #expect(eu.requestCount(.token) == 2)
                    // The refused one, and the one with the new token.
                    #expect(eu.requestCount(.logout) == 3)
                    let refused = logs.all.filter { $0.message.hasPrefix("admin token refused") }
                    #expect(refused.count == 1, "\(logs.all.map(\.message))")
                    let requestID = refused.first?.metadata["request_id"].map { "\($0)" } ?? ""
                    #expect(requestID.count == 16 && requestID.allSatisfy(\.isHexDigit), "\(refused)")
                    // One record for the call, tried twice, under that id.
                    audit.flush()
                    let records = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n").map { JSON(text: String($0)) }
                    let alice = records.filter { $0["user_id"].string == "eu-alice" }
                    #expect(alice.count == 1, "\(records)")
                    #expect(alice.first?["request_id"].string == requestID, "\(alice)")
                }
            }
        }

        @Test("a keep-alive connection Keycloak closed: the call goes again on a new one, and succeeds")
        func staleConnection() async throws {
            try await withTwoTenants { eu, _ in
                try await withListener(proxyConfig([tenantConfig("eu", eu, protectedUsers: [])])) { _, port in
                    let connection = try RawHTTPConnection(port: port)
                    try connection.send(RawHTTPConnection.post(Self.logout("eu-erin", id: 1)))
                    _ = try await Self.result(connection, id: 1)
                    eu.failNext(1, with: .dropConnection, only: .logout)
                    try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                    let result = try await Self.result(connection, id: 2)
                    #expect(result["status"].string == "success", "\(result)")
                    #expect(try onlineSessions(eu, "eu-alice") == 0)
                    #expect(eu.requestCount(.logout) == 3)
                }
            }
        }

        @Test("a Keycloak that stops answering: upstream_timeout at the tenant's request timeout; the connection serves on")
        func timeout() async throws {
            try await withWarmTenant(request: .milliseconds(500)) { eu, connection in
                eu.stall(.logout)
                let started = ContinuousClock.now
                try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                let result = try await Self.result(connection, id: 2)
                let waited = ContinuousClock.now - started
                eu.releaseStalled()
                #expect(result["error"]["code"].string == "upstream_timeout", "\(result)")
                // Nothing else ends the stall: a missed timeout would last until the read gives up.
                #expect(waited >= .milliseconds(500) && waited < .seconds(10), "answered after \(waited)")
                try connection.send(RawHTTPConnection.post(Self.logout("eu-bob", id: 3)))
                #expect(try await Self.result(connection, id: 3)["status"].string == "success")
            }
        }

        @Test("a timeout opens the circuit; the next call fails fast without reaching Keycloak")
        func breaker() async throws {
            try await withWarmTenant(request: .milliseconds(300), breaker: BreakerSettings(failures: 1, coolDown: .seconds(30))) { eu, connection in
                eu.stall(.logout)
                try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 2)))
                #expect(try await Self.result(connection, id: 2)["error"]["code"].string == "upstream_timeout")
                let sent = eu.requestCount(.logout)
                try connection.send(RawHTTPConnection.post(Self.logout("eu-alice", id: 4)))
                let result = try await Self.result(connection, id: 4)
                eu.releaseStalled()
                #expect(result["error"]["code"].string == "upstream_unavailable", "\(result)")
                #expect(result["error"]["message"].string?.contains("circuit open") == true, "\(result)")
                #expect(eu.requestCount(.logout) == sent)
            }
        }
    }
}
