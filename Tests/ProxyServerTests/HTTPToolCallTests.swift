import KeycloakEmulator
import ProxyCore
import Testing

extension EndToEnd {
    /// Two emulated tenants and the proxy in-process, over real loopback HTTP.
    @Suite("MCP tools over Streamable HTTP", .timeLimit(.minutes(1)))
    struct HTTPToolCallTests {
        @Test("initialize answers with the server's name and the tools capability")
        func initialize() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let reply = try await client.rpc(
                        "initialize",
                        ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]],
                        token: TestAgent.incidentBot.token)
                    #expect(reply.status == 200)
                    #expect(reply.json["id"].int == 1)
                    #expect(reply.json["result"]["serverInfo"]["name"].string == "keycloak-mcp-proxy")
                    #expect(reply.json["result"]["protocolVersion"].string == "2025-06-18")
                    #expect(reply.json["result"]["capabilities"]["tools"].exists)
                    // A stateless client then sends the initialized notification: accepted, no body.
                    let notified = try await client.post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, token: TestAgent.incidentBot.token)
                    #expect(notified.status == 202)
                    #expect(notified.body.isEmpty)
                }
            }
        }

        @Test("initialize offers the latest version for an unknown one, and needs its params")
        func initializeNegotiation() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let token = TestAgent.incidentBot.token
                    let future = try await client.rpc(
                        "initialize", ["protocolVersion": "2099-01-01", "capabilities": [:], "clientInfo": ["name": "t", "version": "1"]],
                        token: token)
                    #expect(future.json["result"]["protocolVersion"].string == "2025-11-25")
                    let bare = try await client.rpc("initialize", id: 3, token: token)
                    #expect(bare.json["id"].int == 3)
                    #expect(bare.json["error"]["code"].int == -32602, "\(bare.body)")
                    #expect(bare.json["error"]["message"].string?.contains("protocolVersion") == true)
                    let ping = try await client.rpc("ping", id: 4, token: token)
                    #expect(ping.body == #"{"id":4,"jsonrpc":"2.0","result":{}}"#)
                }
            }
        }

        @Test("tools/list shows an agent only its tools, and only its tenants in the schema")
        func toolsPerAgent() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let all = try await client.listTools(token: TestAgent.incidentBot.token)
                    #expect(all.compactMap { $0["name"].string } == ["logout_user", "get_user_sessions", "list_tenants"])
                    let logout = try #require(all.first { $0["name"].string == "logout_user" })
                    #expect(logout["inputSchema"]["properties"]["tenant"]["enum"].array.compactMap(\.string) == ["eu", "us"])
                    #expect(logout["annotations"]["destructiveHint"].bool == true)
                    #expect(logout["annotations"]["idempotentHint"].bool == true)
                    #expect(logout["annotations"]["readOnlyHint"].bool == false)
                    #expect(logout["annotations"]["openWorldHint"].bool == true)
                    #expect(logout["annotations"]["title"].string == "Log out a user")
                    let sessions = try #require(all.first { $0["name"].string == "get_user_sessions" })
                    #expect(sessions["annotations"]["readOnlyHint"].bool == true)

                    let helpdesk = try await client.listTools(token: TestAgent.euHelpdesk.token)
                    #expect(helpdesk.compactMap { $0["name"].string } == ["get_user_sessions", "list_tenants"])
                    #expect(helpdesk[0]["inputSchema"]["properties"]["tenant"]["enum"].array.compactMap(\.string) == ["eu"])

                    let responder = try await client.listTools(token: TestAgent.usResponder.token)
                    #expect(responder.compactMap { $0["name"].string } == ["logout_user", "list_tenants"])
                    #expect(responder[0]["inputSchema"]["properties"]["tenant"]["enum"].array.compactMap(\.string) == ["us"])
                    #expect(eu.adminRequestCount == 0 && us.adminRequestCount == 0)
                }
            }
        }

        @Test("logout_user on two tenants ends the sessions in the right Keycloak only")
        func logoutOnTwoTenants() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let token = TestAgent.incidentBot.token
                    #expect(try onlineSessions(eu, "eu-alice") == 2)
                    #expect(try onlineSessions(us, "us-alice") == 2)

                    let euResult = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: token)
                    #expect(euResult["isError"].bool == false)
                    #expect(euResult["structuredContent"]["status"].string == "success")
                    #expect(euResult["structuredContent"]["tenant"].string == "eu")
                    #expect(euResult["structuredContent"]["user_id"].string == "eu-alice")
                    #expect(euResult["content"][0]["type"].string == "text")
                    #expect(JSON(text: euResult["content"][0]["text"].string ?? "").description == euResult["structuredContent"].description)
                    #expect(try onlineSessions(eu, "eu-alice") == 0)
                    #expect(try onlineSessions(us, "us-alice") == 2)
                    #expect(us.adminRequestCount == 0)

                    // By id, in the original tool's argument names, on the /auth tenant.
                    let usResult = try await client.callTool("logout_user", ["tenant": "us", "user_id": "us-alice", "realm": "customers"], token: token)
                    #expect(usResult["isError"].bool == false)
                    #expect(usResult["structuredContent"]["message"].string == "User us-alice logged out from all sessions")
                    #expect(try onlineSessions(us, "us-alice") == 0)
                    #expect(try onlineSessions(eu, "eu-bob") == 1)
                    #expect(eu.requestCount(.logout) == 1 && us.requestCount(.logout) == 1)
                }
            }
        }

        @Test("get_user_sessions and list_tenants answer with structured content")
        func readTools() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(proxyConfig([tenantConfig("eu", eu), tenantConfig("us", us)])) { client in
                    let sessions = try await client.callTool("get_user_sessions", ["username": "alice"], token: TestAgent.euHelpdesk.token)
                    #expect(sessions["isError"].bool == false)
                    #expect(sessions["structuredContent"]["count"].int == 2)
                    #expect(sessions["structuredContent"]["tenant"].string == "eu")
                    let tenants = try await client.callTool("list_tenants", [:], token: TestAgent.euHelpdesk.token)
                    #expect(tenants["structuredContent"]["tenants"].array.compactMap { $0["name"].string } == ["eu"])
                    #expect(try onlineSessions(eu, "eu-alice") == 2)
                }
            }
        }

        @Test("the text content is the structured content, escaped, whatever characters an argument holds")
        func textContentEscaping() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let name = "a\"b\\c\u{2028}dé😀"
                    let result = try await client.callTool("logout_user", ["username": .string(name)], token: TestAgent.incidentBot.token)
                    #expect(result["isError"].bool == true)
                    #expect(result["structuredContent"]["error"]["code"].string == "user_not_found")
                    #expect(result["structuredContent"]["error"]["message"].string?.contains(name) == true, "\(result)")
                    let text = try #require(result["content"][0]["text"].string)
                    #expect(JSON(text: text).description == result["structuredContent"].description)
                }
            }
        }
    }
}
