import NIOHTTP1
import KeycloakEmulator
import ProxyCore
import ProxyServer
import Testing

extension EndToEnd {
    /// Failures an agent can act on: `isError: true` with `{"error":{"code":...}}`; protocol misuse:
    /// a JSON-RPC error. Policy decides before anything is sent.
    @Suite("Tool errors over HTTP", .timeLimit(.minutes(1)))
    struct ToolErrorTests {
        struct Denial: Sendable, CustomTestStringConvertible {
            var agent: TestAgent
            var arguments: JSONValue
            var code: String
            var testDescription: String { "\(agent.name) \(arguments.jsonText) → \(code)" }
        }

        static let denials: [Denial] = [
            Denial(agent: .incidentBot, arguments: ["username": "alice", "realm": "master"], code: "policy_denied"),
            Denial(agent: .incidentBot, arguments: ["username": "alice", "realm": "staff"], code: "policy_denied"),
            Denial(agent: .usResponder, arguments: ["tenant": "us", "username": "erin", "realm": "partner-acme"], code: "policy_denied"),
            Denial(agent: .incidentBot, arguments: ["tenant": "mars", "username": "alice"], code: "unknown_tenant"),
            Denial(agent: .usResponder, arguments: ["tenant": "eu", "username": "alice"], code: "unknown_tenant"),
            Denial(agent: .incidentBot, arguments: ["username": "break-glass-admin"], code: "protected_user"),
            Denial(agent: .incidentBot, arguments: ["username": "alice", "user_id": "eu-alice"], code: "invalid_argument"),
            Denial(agent: .incidentBot, arguments: ["tenant": "eu"], code: "invalid_argument"),
            Denial(agent: .incidentBot, arguments: ["user_id": "../../users"], code: "invalid_argument"),
            Denial(agent: .incidentBot, arguments: ["user_id": "eu-alice", "realm": "customers/../master"], code: "policy_denied"),
            Denial(agent: .incidentBot, arguments: ["user_id": "eu-alice\u{0}"], code: "invalid_argument"),
        ]

        @Test("a refused call is an error result and sends nothing to any Keycloak", arguments: denials)
        func denialsSendNothing(_ denial: Denial) async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let result = try await client.callTool("logout_user", denial.arguments, token: denial.agent.token)
                    #expect(result["isError"].bool == true)
                    #expect(result["structuredContent"]["error"]["code"].string == denial.code, "\(result)")
                    #expect(result["structuredContent"]["error"]["retryable"].bool == false)
                    #expect(result["structuredContent"]["error"]["message"].string?.isEmpty == false)
                    #expect(JSON(text: result["content"][0]["text"].string ?? "")["error"]["code"].string == denial.code)
                    #expect(eu.adminRequestCount == 0 && us.adminRequestCount == 0)
                    #expect(eu.requestCount(.token) == 0 && us.requestCount(.token) == 0)
                    #expect(try onlineSessions(eu, "eu-alice") == 2)
                    #expect(try onlineSessions(us, "us-alice") == 2)
                }
            }
        }

        @Test("a user protected by id is looked up, then refused without a logout")
        func protectedByID() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let result = try await client.callTool("logout_user", ["user_id": "eu-break-glass-admin"], token: TestAgent.incidentBot.token)
                    #expect(result["structuredContent"]["error"]["code"].string == "protected_user")
                    #expect(eu.requestCount(.logout) == 0)
                    #expect(try onlineSessions(eu, "eu-break-glass-admin") == 1)
                }
            }
        }

        @Test("Keycloak's answers map to the contract's codes")
        func upstreamCodes() async throws {
            try await withTwoTenants { eu, us in
                let tenants = [
                    tenantConfig("eu", eu),
                    tenantConfig("us", us, request: .seconds(1)),
                    tenantConfig("wrong-secret", eu, secret: "not-the-secret"),
                    tenantConfig("down", eu, url: "http://127.0.0.1:1"),
                ]
                try await withProxy(proxyConfig(tenants)) { client in
                    let token = TestAgent.incidentBot.token
                    /// `code retryable` of the error result, e.g. `user_not_found false`.
                    func code(_ arguments: JSONValue) async throws -> String {
                        let result = try await client.callTool("logout_user", arguments, token: token)
                        #expect(result["isError"].bool == true, "\(arguments.jsonText): \(result)")
                        let error = result["structuredContent"]["error"]
                        return "\(error["code"].string ?? "no code") \(error["retryable"].bool.map(String.init) ?? "?")"
                    }
                    let code1 = try await code(["username": "nobody"])
                    #expect(code1 == "user_not_found false")
                    let code2 = try await code(["user_id": "no-such-id"])
                    #expect(code2 == "user_not_found false")
                    let code3 = try await code(["username": "erin", "realm": "partner-ghost"])
                    #expect(code3 == "realm_not_found false")
                    let code4 = try await code(["tenant": "wrong-secret", "username": "alice"])
                    #expect(code4 == "upstream_auth_failed false")
                    let code5 = try await code(["tenant": "down", "username": "alice"])
                    #expect(code5 == "upstream_unavailable true")

                    eu.failNext(1, with: .status(403, body: #"{"error":"unknown_error"}"#), only: .userSearch)
                    let code6 = try await code(["username": "alice"])
                    #expect(code6 == "upstream_forbidden false")
                    eu.failNext(1, with: .status(500), only: .logout)
                    let code7 = try await code(["user_id": "eu-bob"])
                    #expect(code7 == "upstream_error true")
                    // Dropped on every connection: reused ones (stale, sent again) and new ones.
                    eu.failNext(100, with: .dropConnection, only: .logout)
                    let code8 = try await code(["user_id": "eu-bob"])
                    #expect(code8 == "upstream_unavailable true")
                    eu.clearFaults()

                    us.setLatency(.seconds(2), for: .logout)
                    let code9 = try await code(["tenant": "us", "user_id": "us-bob"])
                    #expect(code9 == "upstream_timeout true")
                    us.clearFaults()
                }
            }
        }

        @Test("a call that outlives the response timeout gets a JSON-RPC error then, and the next call works")
        func responseTimeout() async throws {
            try await withTwoTenants { eu, _ in
                let settings = HTTPSettings(responseTimeout: .seconds(1))
                try await withProxy(proxyConfig([tenantConfig("eu", eu, request: .seconds(30))]), settings: settings) { client in
                    let token = TestAgent.incidentBot.token
                    eu.stall(.logout)
                    let started = ContinuousClock.now
                    let reply = try await client.rpc("tools/call", ["name": "logout_user", "arguments": ["username": "alice"]], id: 9, token: token)
                    let waited = ContinuousClock.now - started
                    eu.releaseStalled()
                    #expect(reply.status == 500, "\(reply.body)")
                    #expect(reply.json["error"]["code"].int == -32603)
                    #expect(reply.json["id"].int == 9)
                    #expect(waited >= .seconds(1) && waited < .seconds(10), "answered after \(waited)")
                    let next = try await client.callTool("logout_user", ["username": "bob"], token: token)
                    #expect(next["isError"].bool == false, "\(next)")
                }
            }
        }

        @Test("a call that does not end when cancelled for the response timeout is answered by the listener, which closes")
        func responseTimeoutUncooperative() async throws {
            try await withTwoTenants { eu, _ in
                let settings = HTTPSettings(responseTimeout: .seconds(1))
                try await withProxy(proxyConfig([tenantConfig("eu", eu, request: .seconds(30))]), settings: settings) { client in
                    let token = TestAgent.incidentBot.token
                    // Waiting for the first token fetch ignores the caller's cancellation.
                    eu.stall(.token)
                    let started = ContinuousClock.now
                    let reply = try await client.rpc("tools/call", ["name": "logout_user", "arguments": ["username": "alice"]], id: 4, token: token)
                    let waited = ContinuousClock.now - started
                    eu.releaseStalled()
                    #expect(reply.status == 500, "\(reply.body)")
                    #expect(reply.json["error"]["code"].int == -32603)
                    #expect(reply.json["error"]["message"].string == "Internal error: no answer within 1s")
                    // Answered at the timeout, with its id, without waiting for the call to end.
                    #expect(reply.json["id"].int == 4, "\(reply.body)")
                    #expect(reply.headers.first(name: "connection") == "close")
                    #expect(waited >= .seconds(1) && waited < .seconds(10), "answered after \(waited)")
                    let next = try await client.callTool("logout_user", ["username": "bob"], token: token)
                    #expect(next["isError"].bool == false, "\(next)")
                }
            }
        }

        @Test("protocol misuse is a JSON-RPC error, and a hidden tool cannot be called")
        func protocolErrors() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    func rpcError(_ params: JSONValue, token: String) async throws -> JSON {
                        let reply = try await client.rpc("tools/call", params, id: 7, token: token)
                        #expect(reply.status == 200, "\(reply.body)")
                        #expect(reply.json["id"].int == 7)
                        #expect(!reply.json["result"].exists, "\(reply.body)")
                        return reply.json["error"]
                    }
                    let bot = TestAgent.incidentBot.token
                    let unknown = try await rpcError(["name": "delete_realm", "arguments": [:]], token: bot)
                    #expect(unknown["code"].int == -32602)
                    #expect(unknown["message"].string?.contains("delete_realm") == true)
                    // A tool the policy excludes looks exactly like one that does not exist.
                    let hidden = try await rpcError(["name": "logout_user", "arguments": ["username": "alice"]], token: TestAgent.euHelpdesk.token)
                    #expect(hidden["code"].int == -32602)
                    #expect(hidden["message"].string == #"Invalid params: unknown tool "logout_user""#)
                    #expect(try await rpcError(["name": "logout_user", "arguments": ["username": 42]], token: bot)["code"].int == -32602)
                    #expect(try await rpcError(["name": "logout_user", "arguments": ["username": "alice", "colour": "red"]], token: bot)["code"].int == -32602)
                    #expect(try await rpcError(["name": "logout_user", "arguments": "alice"], token: bot)["code"].int == -32602)
                    #expect(try await rpcError(["arguments": [:]], token: bot)["code"].int == -32602)
                    let method = try await client.rpc("resources/list", id: 8, token: bot)
                    #expect(method.json["error"]["code"].int == -32601)
                    #expect(eu.adminRequestCount == 0 && us.adminRequestCount == 0)
                    #expect(try onlineSessions(eu, "eu-alice") == 2)
                }
            }
        }
    }
}
