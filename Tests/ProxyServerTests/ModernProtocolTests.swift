import KeycloakEmulator
import NIOHTTP1
import ProxyCore
import Testing

extension EndToEnd {
    /// MCP 2026-07-28 beside the earlier revisions: per-request `_meta`, the headers checked
    /// against the body before any tenant is asked, `server/discover`, result fields and output
    /// schemas, over HTTP and stdio.
    @Suite("MCP 2026-07-28", .timeLimit(.minutes(1)))
    struct ModernProtocolTests {
        static let token = TestAgent.incidentBot.token
        static let logoutAlice: [String: JSONValue] = ["name": "logout_user", "arguments": ["tenant": "eu", "username": "alice"]]

        /// Both seeded tenants behind the proxy.
        static func withProxyOnTwoTenants(_ body: (KeycloakEmulator, KeycloakEmulator, MCPTestClient) async throws -> Void) async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    try await body(eu, us, client)
                }
            }
        }

        /// A JSON-RPC error answering request `id` with `code`, at HTTP `status`.
        static func expectError(
            _ reply: HTTPReply, status: Int, code: Int, id: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(reply.status == status, "\(what): HTTP \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
            #expect(reply.json["error"]["code"].int == code, "\(what): \(reply.body)", sourceLocation: sourceLocation)
            #expect(reply.json["id"].int == id, "\(what): \(reply.body)", sourceLocation: sourceLocation)
            #expect(!reply.json["result"].exists, "\(what): \(reply.body)", sourceLocation: sourceLocation)
        }

        /// A 2026-07-28 result: `resultType` complete and the server's identity in `_meta`.
        static func expectComplete(_ result: JSON, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result["resultType"].string == "complete", "\(what): \(result)", sourceLocation: sourceLocation)
            let serverInfo = result["_meta"][MCPTestClient.serverInfoKey]
            #expect(serverInfo["name"].string == "keycloak-mcp-proxy", "\(what): \(result)", sourceLocation: sourceLocation)
            #expect(serverInfo["title"].string?.isEmpty == false, "\(what): \(result)", sourceLocation: sourceLocation)
            #expect(serverInfo["version"].string?.isEmpty == false, "\(what): \(result)", sourceLocation: sourceLocation)
        }


        @Test("server/discover names the versions, capabilities and server, with public cache hints")
        func discover() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let reply = try await client.modern("server/discover", id: 7, token: Self.token)
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.headers["Content-Type"].first?.hasPrefix("application/json") == true)
                #expect(reply.headers["Mcp-Session-Id"].isEmpty)
                #expect(reply.json["id"].int == 7)
                let result = reply.json["result"]
                Self.expectComplete(result, "server/discover")
                let versions = result["supportedVersions"].array.compactMap(\.string)
                #expect(versions.contains("2026-07-28") && versions.contains("2025-11-25"), "\(versions)")
                #expect(result["capabilities"]["tools"].exists, "\(result)")
                #expect(result["instructions"].string?.isEmpty == false)
                #expect((result["ttlMs"].int ?? -1) >= 0, "\(result)")
                #expect(result["cacheScope"].string == "public")
                #expect(!result["serverInfo"].exists && !result["protocolVersion"].exists, "no legacy fields: \(result)")
                try expectUntouched(eu, us)
            }
        }

        @Test("tools/list lists the tools in a fixed order with output schemas, the tenant header and private cache hints")
        func toolList() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let reply = try await client.modern("tools/list", id: 2, token: Self.token)
                #expect(reply.status == 200, "\(reply.body)")
                let result = reply.json["result"]
                Self.expectComplete(result, "tools/list")
                #expect((result["ttlMs"].int ?? -1) >= 0, "\(result)")
                #expect(result["cacheScope"].string == "private")
                let tools = result["tools"].array
                #expect(tools.compactMap { $0["name"].string } == ["logout_user", "get_user_sessions", "list_tenants"])
                let logout = try #require(tools.first { $0["name"].string == "logout_user" })
                #expect(logout["inputSchema"]["properties"]["tenant"]["x-mcp-header"].string == "Tenant", "\(logout)")
                for tool in tools {
                    #expect(tool["outputSchema"]["type"].string == "object", "\(tool["name"]): \(tool["outputSchema"])")
                    #expect(!tool["outputSchema"]["properties"].keys.isEmpty, "\(tool["name"])")
                }
                // A narrower agent sees its own list, still private.
                let helpdesk = try await client.modern("tools/list", token: TestAgent.euHelpdesk.token)
                #expect(helpdesk.json["result"]["tools"].array.compactMap { $0["name"].string } == ["get_user_sessions", "list_tenants"])
                #expect(helpdesk.json["result"]["cacheScope"].string == "private")
                try expectUntouched(eu, us)
            }
        }

        @Test("tools/call logout_user with the headers mirrored logs the user out in that tenant")
        func logout() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let headers = MCPTestClient.modernHeaders("tools/call", Self.logoutAlice)
                #expect(headers.contains { $0 == ("Mcp-Param-Tenant", "eu") }, "the helper mirrors the tenant")
                let reply = try await client.modern("tools/call", Self.logoutAlice, id: 3, headers: headers, token: Self.token)
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.json["id"].int == 3)
                let result = reply.json["result"]
                Self.expectComplete(result, "tools/call")
                #expect(result["isError"].bool == false, "\(result)")
                #expect(result["structuredContent"]["status"].string == "success")
                #expect(result["structuredContent"]["user_id"].string == "eu-alice")
                #expect(JSON(text: result["content"][0]["text"].string ?? "").description == result["structuredContent"].description)
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                #expect(try onlineSessions(us, "us-alice") == 2)
                #expect(eu.requestCount(.logout) == 1 && us.requestCount(.logout) == 0)
            }
        }

        @Test("a header that is missing, sent twice or other than the body gets 400 and -32020 before any tenant is asked")
        func headerMismatches() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let good = MCPTestClient.modernHeaders("tools/call", Self.logoutAlice)
                let withoutTenant: [String: JSONValue] = ["name": "logout_user", "arguments": ["username": "alice"]]
                let cases: [(String, [String: JSONValue], [(String, String)])] = [
                    ("Mcp-Method differs", Self.logoutAlice, good.setting("Mcp-Method", "tools/list")),
                    ("Mcp-Method missing", Self.logoutAlice, good.setting("Mcp-Method")),
                    ("Mcp-Method in another case", Self.logoutAlice, good.setting("Mcp-Method", "TOOLS/CALL")),
                    ("Mcp-Name differs", Self.logoutAlice, good.setting("Mcp-Name", "get_user_sessions")),
                    ("Mcp-Name missing", Self.logoutAlice, good.setting("Mcp-Name")),
                    ("MCP-Protocol-Version differs from _meta", Self.logoutAlice, good.setting("MCP-Protocol-Version", "2025-11-25")),
                    ("MCP-Protocol-Version missing", Self.logoutAlice, good.setting("MCP-Protocol-Version")),
                    ("Mcp-Param-Tenant differs", Self.logoutAlice, good.setting("Mcp-Param-Tenant", "us")),
                    ("Mcp-Param-Tenant missing", Self.logoutAlice, good.setting("Mcp-Param-Tenant")),
                    ("Mcp-Param-Tenant without the argument", withoutTenant, good.setting("Mcp-Param-Tenant", "eu")),
                    ("Mcp-Param-Tenant base64 of another tenant", Self.logoutAlice, good.setting("Mcp-Param-Tenant", "=?base64?dXM=?=")),
                    ("Mcp-Method twice", Self.logoutAlice, good.setting("Mcp-Method", "tools/call", "tools/call")),
                    ("Mcp-Name twice", Self.logoutAlice, good.setting("Mcp-Name", "logout_user", "logout_user")),
                    ("MCP-Protocol-Version twice", Self.logoutAlice, good.setting("MCP-Protocol-Version", "2026-07-28", "2026-07-28")),
                    ("Mcp-Param-Tenant twice", Self.logoutAlice, good.setting("Mcp-Param-Tenant", "eu", "eu")),
                ]
                for (index, (what, params, headers)) in cases.enumerated() {
                    let reply = try await client.modern("tools/call", params, id: 100 + index, headers: headers, token: Self.token)
                    Self.expectError(reply, status: 400, code: -32020, id: 100 + index, what)
                }
                try expectUntouched(eu, us)

                // The same call with the tenant in base64, and with header names in lower case, goes through.
                let encoded = try await client.modern(
                    "tools/call", Self.logoutAlice, id: 200, headers: good.setting("Mcp-Param-Tenant", "=?base64?ZXU=?="), token: Self.token)
                #expect(encoded.status == 200, "\(encoded.body)")
                #expect(encoded.json["result"]["isError"].bool == false, "\(encoded.body)")
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                let logoutBob: [String: JSONValue] = ["name": "logout_user", "arguments": ["tenant": "us", "username": "bob"]]
                let lowercased = MCPTestClient.modernHeaders("tools/call", logoutBob).map { ($0.0.lowercased(), $0.1) }
                let lower = try await client.modern("tools/call", logoutBob, id: 201, headers: lowercased, token: Self.token)
                #expect(lower.status == 200, "\(lower.body)")
                #expect(try onlineSessions(us, "us-bob") == 0)
                #expect(eu.requestCount(.logout) == 1 && us.requestCount(.logout) == 1)
            }
        }

        @Test("an unsupported version gets 400 and -32022 naming the supported ones")
        func unsupportedVersion() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let future = MCPTestClient.modernMeta(version: "2099-01-01")
                let requests: [(String, [String: JSONValue])] = [("tools/call", Self.logoutAlice), ("server/discover", [:])]
                for (index, (method, params)) in requests.enumerated() {
                    let reply = try await client.modern(method, params, id: 40 + index, meta: future, token: Self.token)
                    Self.expectError(reply, status: 400, code: -32022, id: 40 + index, method)
                    #expect(reply.json["error"]["data"]["supported"].array.compactMap(\.string).contains("2026-07-28"), "\(reply.body)")
                    #expect(reply.json["error"]["data"]["requested"].string == "2099-01-01", "\(reply.body)")
                }
                try expectUntouched(eu, us)
            }
        }

        @Test("_meta without the version is legacy only without a 2026 header; without capabilities it is refused")
        func incompleteMeta() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let noVersion = MCPTestClient.modernMeta(version: nil)
                let headed = try await client.modern("tools/call", Self.logoutAlice, id: 5, meta: noVersion, token: Self.token)
                Self.expectError(headed, status: 400, code: -32602, id: 5, "no version in _meta, 2026-07-28 header")

                let noCapabilities = MCPTestClient.modernMeta(capabilities: nil)
                let bare = try await client.modern("tools/call", Self.logoutAlice, id: 6, meta: noCapabilities, token: Self.token)
                Self.expectError(bare, status: 400, code: -32602, id: 6, "no clientCapabilities in _meta")
                let wrong = MCPTestClient.modernMeta(capabilities: "all")
                let string = try await client.modern("tools/call", Self.logoutAlice, id: 7, meta: wrong, token: Self.token)
                Self.expectError(string, status: 400, code: -32602, id: 7, "clientCapabilities a string")
                try expectUntouched(eu, us)

                // No version anywhere: a 2025 request, answered as before.
                let legacy = try await client.send(
                    headers: MCPTestClient.headers(token: Self.token), body: Array(MCPTestClient.modernBody("tools/list", id: 8, meta: noVersion).utf8))
                #expect(legacy.status == 200, "\(legacy.body)")
                #expect(legacy.json["id"].int == 8)
                let result = legacy.json["result"]
                #expect(result["tools"].array.count == 3, "\(legacy.body)")
                #expect(!result["resultType"].exists && !result["ttlMs"].exists && !result["cacheScope"].exists, "\(legacy.body)")
            }
        }

        @Test("ping, initialize and unknown methods at 2026-07-28 get 404 and -32601; the 2025 ones still work")
        func removedMethods() async throws {
            try await Self.withProxyOnTwoTenants { eu, us, client in
                let initialize: [String: JSONValue] = [
                    "protocolVersion": "2026-07-28", "capabilities": [:], "clientInfo": ["name": "t", "version": "1"],
                ]
                let cases: [(String, [String: JSONValue])] = [("ping", [:]), ("initialize", initialize), ("resources/list", [:])]
                for (index, (method, params)) in cases.enumerated() {
                    let reply = try await client.modern(method, params, id: 60 + index, token: Self.token)
                    Self.expectError(reply, status: 404, code: -32601, id: 60 + index, method)
                }

                let legacyInitialize = try await client.rpc("initialize", .object(initialize), id: 70, token: Self.token)
                #expect(legacyInitialize.status == 200, "\(legacyInitialize.body)")
                #expect(legacyInitialize.json["result"]["protocolVersion"].string == "2025-11-25", "\(legacyInitialize.body)")
                #expect(legacyInitialize.json["result"]["serverInfo"]["name"].string == "keycloak-mcp-proxy")
                #expect(!legacyInitialize.json["result"]["resultType"].exists)
                let ping = try await client.rpc("ping", id: 71, token: Self.token)
                #expect(ping.status == 200)
                #expect(ping.body == #"{"id":71,"jsonrpc":"2.0","result":{}}"#)
                // A 2025 error keeps HTTP 200.
                let unknown = try await client.rpc("resources/list", id: 72, token: Self.token)
                #expect(unknown.status == 200)
                #expect(unknown.json["error"]["code"].int == -32601)
                try expectUntouched(eu, us)
            }
        }

        @Test("each tool's structured content matches its output schema")
        func outputSchemas() async throws {
            try await Self.withProxyOnTwoTenants { eu, _, client in
                let list = try await client.modern("tools/list", token: Self.token)
                guard case .array(let tools)? = try list.jsonValue()["result"]?["tools"] else {
                    Issue.record("no tools in \(list.body)")
                    return
                }
                let schemas = Dictionary(tools.compactMap { tool in tool["name"]?.stringValue.map { ($0, tool["outputSchema"] ?? .null) } }) { $1 }
                #expect(schemas.keys.sorted() == ["get_user_sessions", "list_tenants", "logout_user"])

                /// Calls `tool` and checks its successful result against the tool's schema.
                func check(_ tool: String, _ arguments: JSONValue, id: Int) async throws -> JSONValue {
                    let params: [String: JSONValue] = ["name": .string(tool), "arguments": arguments]
                    let reply = try await client.modern("tools/call", params, id: id, token: Self.token)
                    #expect(reply.status == 200, "\(tool): \(reply.body)")
                    let result = try reply.jsonValue()["result"]
                    #expect(result?["isError"] == .bool(false), "\(tool) \(arguments.jsonText): \(reply.body)")
                    let structured = try #require(result?["structuredContent"], "\(tool): \(reply.body)")
                    let schema = try #require(schemas[tool])
                    let violations = SchemaCheck.violations(of: structured, against: schema)
                    #expect(violations.isEmpty, "\(tool) \(arguments.jsonText): \(violations) in \(structured.jsonText)")
                    return structured
                }

                let dryRun = try await check("logout_user", ["tenant": "eu", "username": "alice", "dry_run": true], id: 1)
                #expect(dryRun["status"] == "dry_run" && dryRun["sessions"] == 2, "\(dryRun.jsonText)")
                #expect(try onlineSessions(eu, "eu-alice") == 2)
                let loggedOut = try await check("logout_user", ["tenant": "eu", "username": "alice"], id: 2)
                #expect(loggedOut["status"] == "success")
                #expect(try onlineSessions(eu, "eu-alice") == 0)
                let sessions = try await check("get_user_sessions", ["tenant": "us", "username": "bob"], id: 3)
                #expect(sessions["count"] == 1, "\(sessions.jsonText)")
                let tenants = try await check("list_tenants", [:], id: 4)

                // The checker is no rubber stamp: each change breaks the result it accepted.
                guard case .object(var logout) = loggedOut, case .object(var listed) = tenants,
                    case .array(let sessionList)? = sessions["sessions"], case .object(var firstSession)? = sessionList.first,
                    case .object(var sessionsResult) = sessions
                else {
                    Issue.record("results not objects: \(loggedOut.jsonText) \(sessions.jsonText) \(tenants.jsonText)")
                    return
                }
                #expect(sessionList.count == 1)
                logout["user_id"] = nil
                #expect(SchemaCheck.violations(of: .object(logout), against: schemas["logout_user"]!) == ["$: the required key user_id is missing"])
                logout["user_id"] = "eu-alice"
                logout["extra"] = "x"
                #expect(!SchemaCheck.violations(of: .object(logout), against: schemas["logout_user"]!).isEmpty)
                logout["extra"] = nil
                logout["status"] = "maybe"
                #expect(!SchemaCheck.violations(of: .object(logout), against: schemas["logout_user"]!).isEmpty)
                firstSession["id"] = nil
                sessionsResult["sessions"] = [.object(firstSession)]
                #expect(SchemaCheck.violations(of: .object(sessionsResult), against: schemas["get_user_sessions"]!).contains { $0.hasPrefix("$.sessions[0]") })
                sessionsResult["sessions"] = .array(sessionList)
                sessionsResult["count"] = -1
                #expect(!SchemaCheck.violations(of: .object(sessionsResult), against: schemas["get_user_sessions"]!).isEmpty)
                listed["tenants"] = [["name": "eu", "default": "yes", "realms": []]]
                #expect(!SchemaCheck.violations(of: .object(listed), against: schemas["list_tenants"]!).isEmpty)
                #expect(!SchemaCheck.violations(of: "x", against: ["type": "string", "pattern": "^y"]).isEmpty, "unknown keywords fail")
            }
        }

        @Test("over stdio: server/discover, a 2026 tools/call, an unsupported version and a 2025 initialize")
        func stdio() async throws {
            try await StdioTests.withStdioProxy(agent: "incident-bot") { eu, child, _ in
                /// Sends one line and reads its answer (one request at a time: answers may come in any order).
                func exchange(_ line: String) async throws -> JSON {
                    try child.send(line)
                    return JSON(text: try await child.nextLine())
                }

                let discover = try await exchange(MCPTestClient.modernBody("server/discover", id: 1))
                #expect(discover["id"].int == 1)
                Self.expectComplete(discover["result"], "server/discover")
                #expect(discover["result"]["supportedVersions"].array.compactMap(\.string).contains("2026-07-28"), "\(discover)")
                #expect(discover["result"]["cacheScope"].string == "public")

                // No headers on stdio, so nothing to mirror the tenant into.
                let call = try await exchange(MCPTestClient.modernBody("tools/call", Self.logoutAlice, id: 2))
                #expect(call["id"].int == 2)
                Self.expectComplete(call["result"], "tools/call")
                #expect(call["result"]["isError"].bool == false, "\(call)")
                #expect(call["result"]["structuredContent"]["user_id"].string == "eu-alice")
                #expect(try onlineSessions(eu, "eu-alice") == 0)

                let future = try await exchange(
                    MCPTestClient.modernBody(
                        "tools/call", ["name": "logout_user", "arguments": ["username": "bob"]], id: 3,
                        meta: MCPTestClient.modernMeta(version: "2099-01-01")))
                #expect(future["id"].int == 3)
                #expect(future["error"]["code"].int == -32022, "\(future)")
                #expect(future["error"]["data"]["supported"].array.compactMap(\.string).contains("2026-07-28"))
                #expect(future["error"]["data"]["requested"].string == "2099-01-01")
                #expect(try onlineSessions(eu, "eu-bob") == 1)

                let ping = try await exchange(MCPTestClient.modernBody("ping", id: 4))
                #expect(ping["error"]["code"].int == -32601, "\(ping)")
                let incomplete = try await exchange(MCPTestClient.modernBody("tools/list", id: 5, meta: MCPTestClient.modernMeta(capabilities: nil)))
                #expect(incomplete["error"]["code"].int == -32602, "\(incomplete)")

                let initialize = try await exchange(
                    #"{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"stdio-test","version":"1"}}}"#)
                #expect(initialize["id"].int == 6)
                #expect(initialize["result"]["protocolVersion"].string == "2025-11-25", "\(initialize)")
                #expect(initialize["result"]["serverInfo"]["name"].string == "keycloak-mcp-proxy")
                #expect(!initialize["result"]["resultType"].exists)
                let legacyPing = try await exchange(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#)
                #expect(legacyPing["result"].exists, "\(legacyPing)")

                #expect(eu.requestCount(.logout) == 1)
                try child.closeInput()
                #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
            }
        }
    }
}
