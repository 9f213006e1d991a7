import AsyncHTTPClient
import KeycloakEmulator
import NIOCore
import NIOHTTP1
import ProxyCore
import ProxyServer
import Testing

extension EndToEnd {
    /// What `/mcp` refuses before any tool runs: unknown callers, foreign origins, oversized or
    /// malformed bodies; and the health endpoints.
    @Suite("HTTP boundary", .timeLimit(.minutes(1)))
    struct HTTPBoundaryTests {
        static let listCall = #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#

        @Test("a missing or wrong bearer token gets 401 naming no agent")
        func unauthorized() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let tokens: [String?] = [nil, "wrong-token-0123456789", TestAgent.incidentBot.token + "x", ""]
                    for token in tokens {
                        let reply = try await client.post(Self.listCall, token: token)
                        #expect(reply.status == 401, "token \(token ?? "none")")
                        #expect(reply.headers["WWW-Authenticate"].first?.hasPrefix("Bearer") == true)
                        #expect(reply.json["error"]["code"].int != nil)
                        for agent in TestAgent.all {
                            #expect(!reply.body.contains(agent.name))
                        }
                    }
                    let basic = try await client.send(headers: MCPTestClient.headers(token: nil) + [("Authorization", "Basic aW5jaWRlbnQtYm90Og==")], body: Array(Self.listCall.utf8))
                    #expect(basic.status == 401)
                    // The bearer scheme is case-insensitive.
                    let lower = try await client.send(headers: MCPTestClient.headers(token: nil) + [("Authorization", "bearer \(TestAgent.euHelpdesk.token)")], body: Array(Self.listCall.utf8))
                    #expect(lower.status == 200)
                    #expect(eu.requestCount(.token) == 0)
                }
            }
        }

        @Test("without an agents section, loopback callers are anonymous and see every tenant")
        func anonymousOnLoopback() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)], agents: nil)) { client in
                    let tools = try await client.listTools(token: nil)
                    #expect(tools.count == 3)
                    let result = try await client.callTool("logout_user", ["tenant": "us", "username": "bob"], token: nil)
                    #expect(result["isError"].bool == false)
                    #expect(try onlineSessions(us, "us-bob") == 0)
                }
            }
        }

        @Test("anonymous callers are refused on a listener that is not loopback")
        func anonymousElsewhere() async {
            let remote = BearerAuthenticator(agents: nil, listenIsLoopback: false)
            #expect(await remote.authenticate(authorization: nil) == .unauthorized(invalidToken: false))
            #expect(await remote.authenticate(authorization: "Bearer anything-at-all") == .unauthorized(invalidToken: false))
            let local = BearerAuthenticator(agents: nil, listenIsLoopback: true)
            #expect(await local.authenticate(authorization: nil) == .caller(.anonymous))
            let agents = BearerAuthenticator(agents: TestAgent.all.map(\.config), listenIsLoopback: true)
            #expect(await agents.authenticate(authorization: nil) == .unauthorized(invalidToken: false))
            #expect(await agents.authenticate(authorization: "Bearer \(TestAgent.usResponder.token)") == .caller(Caller(agent: TestAgent.usResponder.config)))
            #expect(await agents.authenticate(authorization: "Bearer  \(TestAgent.usResponder.token) ") == .caller(Caller(agent: TestAgent.usResponder.config)))
            #expect(await agents.authenticate(authorization: "Bearer unknown-token-0123456789") == .unauthorized(invalidToken: true))
        }

        @Test("a browser origin other than the listen host or an allowed origin gets 403")
        func origins() async throws {
            try await withTwoTenants { eu, us in
                let config = proxyConfig([tenantConfig("eu", eu)], allowedOrigins: ["https://agents.example.com"])
                try await withProxy(config) { client in
                    let token = TestAgent.incidentBot.token
                    for origin in ["https://evil.example", "http://127.0.0.1.evil.example:8080", "null", "file://"] {
                        let reply = try await client.post(Self.listCall, token: token, extraHeaders: [("Origin", origin)])
                        #expect(reply.status == 403, "\(origin)")
                        #expect(reply.json["error"]["code"].int == -32600)
                    }
                    for origin in ["https://agents.example.com", "http://127.0.0.1:6274", "http://localhost:3000"] {
                        let reply = try await client.post(Self.listCall, token: token, extraHeaders: [("Origin", origin)])
                        #expect(reply.status == 200, "\(origin)")
                    }
                }
                #expect(us.adminRequestCount == 0)
            }
        }

        @Test("an oversized body gets 413 and the server keeps serving")
        func oversized() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)]), settings: HTTPSettings(maxBodySize: 64 << 10)) { client in
                    let padding = String(repeating: "a", count: 200 << 10)
                    let body = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"\#(padding)"}}}"#
                    let reply = try await client.post(body, token: TestAgent.incidentBot.token)
                    #expect(reply.status == 413)
                    #expect(reply.json["error"]["code"].int == -32600)
                    #expect(eu.adminRequestCount == 0)
                    #expect(try await client.post(Self.listCall, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("a chunked body that grows past the limit gets 413 without being read whole")
        func oversizedChunked() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)]), settings: HTTPSettings(maxBodySize: 64 << 10)) { client in
                    // No Content-Length: 16 KiB chunks, 4 MiB in all, the limit passed at the fifth.
                    let chunks = AsyncStream<ByteBuffer> { continuation in
                        for _ in 0..<256 { continuation.yield(ByteBuffer(repeating: UInt8(ascii: " "), count: 16 << 10)) }
                        continuation.finish()
                    }
                    var request = HTTPClientRequest(url: client.base + "/mcp")
                    request.method = .POST
                    for (name, value) in MCPTestClient.headers(token: TestAgent.incidentBot.token) { request.headers.add(name: name, value: value) }
                    request.body = .stream(chunks, length: .unknown)
                    let response = try await client.http.execute(request, timeout: .seconds(10))
                    #expect(response.status.code == 413)
                    #expect(response.headers.first(name: "connection") == "close")
                    #expect(eu.adminRequestCount == 0)
                    #expect(try await client.post(Self.listCall, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("malformed JSON or JSON-RPC gets a JSON-RPC error, never a crash or a hang")
        func malformed() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let token = TestAgent.incidentBot.token
                    let cases: [(String, Int)] = [
                        ("{", -32700),
                        ("not json at all", -32700),
                        ("", -32700),
                        (#"{"jsonrpc":"2.0","id":1,"method":"tools/list""#, -32700),
                        ("[]", -32600),
                        (#"[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]"#, -32600),
                        ("42", -32600),
                        (#"{"jsonrpc":"2.0","id":1}"#, -32600),
                        (#"{"jsonrpc":"1.0","id":1,"method":"tools/list"}"#, -32600),
                        (#"{"id":1,"method":"tools/list"}"#, -32600),
                        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}"#, -32600),
                        (#"{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}"#, -32600),
                        (#"{"jsonrpc":"2.0","id":1,"method":7}"#, -32600),
                        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}"#, -32600),
                    ]
                    for (body, code) in cases {
                        let reply = try await client.post(body, token: token)
                        #expect(reply.status == 400, "\(body)")
                        #expect(reply.json["jsonrpc"].string == "2.0", "\(body): \(reply.body)")
                        #expect(reply.json["error"]["code"].int == code, "\(body): \(reply.body)")
                    }
                    let badBytes = try await client.send(headers: MCPTestClient.headers(token: token), body: [0xFF, 0xFE, 0x7B])
                    #expect(badBytes.json["error"]["code"].int == -32700)
                    let wrongType = try await client.send(
                        headers: [("Content-Type", "text/plain"), ("Accept", "application/json"), ("Authorization", "Bearer \(token)")],
                        body: Array(Self.listCall.utf8))
                    #expect(wrongType.status == 415)
                    #expect(try await client.post(Self.listCall, token: token).status == 200)
                }
            }
        }

        @Test("media types and the protocol version header are checked; curl's defaults are accepted")
        func headers() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let token = TestAgent.incidentBot.token
                    func status(_ headers: [(String, String)]) async throws -> HTTPReply {
                        try await client.send(headers: headers + [("Authorization", "Bearer \(token)")], body: Array(Self.listCall.utf8))
                    }
                    let json = ("Content-Type", "application/json")
                    #expect(try await status([json]).status == 200)
                    #expect(try await status([json, ("Accept", "*/*")]).status == 200)
                    #expect(try await status([json, ("Accept", "text/html, application/json;q=0.9")]).status == 200)
                    // Two Accept fields are one list; spaces and tabs around an element are not part of it.
                    #expect(try await status([json, ("Accept", "text/html"), ("Accept", "image/png,\tapplication/json ")]).status == 200)
                    #expect(try await status([json, ("Accept", "text/html"), ("Accept", "image/png")]).status == 406)
                    #expect(try await status([("Content-Type", "Application/JSON; charset=utf-8"), ("Accept", "application/*")]).status == 200)
                    let html = try await status([json, ("Accept", "text/html")])
                    #expect(html.status == 406)
                    #expect(html.json["error"]["code"].int == -32600)
                    #expect(try await status([("Accept", "application/json")]).status == 415)
                    let version = try await status([json, ("MCP-Protocol-Version", "1999-01-01")])
                    #expect(version.status == 400)
                    #expect(version.json["id"].int == 1)
                    #expect(version.json["error"]["code"].int == -32022, "\(version.body)")
                    #expect(version.json["error"]["data"]["supported"].array.compactMap(\.string).contains("2025-06-18"), "\(version.body)")
                    #expect(version.json["error"]["data"]["requested"].string == "1999-01-01", "\(version.body)")
                    #expect(try await status([json, ("MCP-Protocol-Version", "2025-06-18")]).status == 200)
                }
            }
        }

        @Test("GET and DELETE on /mcp get 405 in stateless mode; health needs no token")
        func methodsAndHealth() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let token = TestAgent.incidentBot.token
                    for method in [HTTPMethod.GET, .DELETE] {
                        let reply = try await client.send(method, headers: MCPTestClient.headers(token: token))
                        #expect(reply.status == 405)
                        #expect(reply.headers["Allow"].first == "POST")
                    }
                    let health = try await client.send(.GET, path: "/healthz", headers: [])
                    #expect(health.status == 200)
                    #expect(health.json["status"].string == "ok")
                    let ready = try await client.send(.GET, path: "/readyz", headers: [])
                    #expect(ready.status == 200)
                    #expect(ready.json["status"].string == "ready")
                    #expect(ready.json["tenants"].int == 1)
                    let metrics = try await client.send(.GET, path: "/metrics", headers: [])
                    #expect(metrics.status == 200)
                    #expect(metrics.headers["Content-Type"].first == "text/plain; version=0.0.4; charset=utf-8")
                    #expect(try await client.send(.GET, path: "/nowhere", headers: []).status == 404)
                }
            }
        }
    }
}
