import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

private func onlineSessions(_ emulator: KeycloakEmulator, _ realm: String, _ userID: String) throws -> Int {
    try emulator.sessions(realm: realm, userID: userID).filter { !$0.offline }.count
}

@Suite("Tool router against emulated Keycloaks", .timeLimit(.minutes(1)))
struct ToolRouterTests {
    @Test func logoutByIdUsesTheDefaultTenantAndRealmAndKeepsTheSeedsAnswer() async throws {
        try await withRouter { f in
            let outcome = try await f.call("logout_user", ["user_id": .string(bobID)])
            #expect(!outcome.isError)
            // The original single-Keycloak tool answered status and message; both stay.
            #expect(outcome.structuredContent["status"] == "success")
            #expect(outcome.structuredContent["message"] == .string("User \(bobID) logged out from all sessions"))
            #expect(outcome.structuredContent["tenant"] == "eu")
            #expect(outcome.structuredContent["realm"] == "customers")
            #expect(outcome.structuredContent["username"] == "bob")  // looked up: eu protects users
            #expect(outcome.text == outcome.structuredContent.jsonText)
            let count1 = try onlineSessions(f.eu, "customers", bobID)
            #expect(count1 == 0)
            let count2 = try onlineSessions(f.us, "customers", bobID)
            #expect(count2 == 2)
            #expect(f.us.adminRequestCount == 0)
        }
    }

    @Test func logoutByUsernameReachesTheNamedTenantAndRealm() async throws {
        try await withRouter { f in
            let outcome = try await f.call("logout_user", ["username": "alice", "tenant": "us", "realm": "customers"])
            #expect(outcome.structuredContent["user_id"] == .string(aliceID))
            let count3 = try onlineSessions(f.us, "customers", aliceID)
            #expect(count3 == 0)
            let count4 = try onlineSessions(f.us, "partner-acme", aliceID)
            #expect(count4 == 2)
            #expect(f.eu.adminRequestCount == 0)
            // us protects nobody: a username needs one search, then the logout.
            #expect(f.us.requestCount(.userSearch) == 1)
            #expect(f.us.requestCount(.logout) == 1)
        }
    }

    @Test func dryRunChangesNothing() async throws {
        try await withRouter { f in
            let outcome = try await f.call("logout_user", ["username": "alice", "dry_run": true])
            #expect(outcome.structuredContent["status"] == "dry_run")
            #expect(outcome.structuredContent["sessions"] == 2)
            #expect(f.eu.requestCount(.logout) == 0)
            let count5 = try onlineSessions(f.eu, "customers", aliceID)
            #expect(count5 == 2)
        }
    }

    @Test func getUserSessionsListsThem() async throws {
        try await withRouter { f in
            let outcome = try await f.call("get_user_sessions", ["user_id": .string(aliceID), "realm": "partner-acme"])
            #expect(outcome.structuredContent["count"] == 2)
            guard case .array(let sessions)? = outcome.structuredContent["sessions"] else {
                Issue.record("no sessions array")
                return
            }
            #expect(sessions.count == 2)
            #expect(sessions[0]["clients"] == ["account-console"])
            #expect(sessions[0]["start"]?.stringValue?.hasSuffix("Z") == true)
        }
    }

    @Test func listTenantsShowsWhatTheCallerMayUse() async throws {
        try await withRouter { f in
            let outcome = try await f.call("list_tenants", [:])
            #expect(outcome.structuredContent["default_tenant"] == "eu")
            guard case .array(let tenants)? = outcome.structuredContent["tenants"] else {
                Issue.record("no tenants array")
                return
            }
            #expect(tenants.map { $0["name"] } == ["eu", "slow", "us", "wrong-secret", "unreachable"])
            #expect(tenants[0]["realms"] == ["customers", "partner-*"])
            #expect(tenants[0]["denied_realms"] == ["master"])
            #expect(tenants[2]["realms"] == ["customers"])
        }
    }

    @Test func refusalsBeforeKeycloakSendNothing() async throws {
        try await withRouter { f in
            let cases: [([String: JSONValue], String)] = [
                (["user_id": .string(bobID), "username": "bob"], "invalid_argument"),
                ([:], "invalid_argument"),
                (["user_id": ""], "invalid_argument"),
                (["user_id": "../../users/other"], "invalid_argument"),
                (["user_id": "a/b"], "invalid_argument"),
                (["user_id": .string(bobID), "realm": "partner-x/../../master"], "invalid_argument"),
                (["user_id": .string(bobID), "tenant": "asia"], "unknown_tenant"),
                (["user_id": .string(bobID), "realm": "master"], "policy_denied"),
                (["user_id": .string(bobID), "realm": "staff"], "policy_denied"),
                (["username": "Break-Glass-Admin"], "protected_user"),
            ]
            for (arguments, expected) in cases {
                let code6 = try await f.code("logout_user", arguments)
                #expect(code6 == expected, "\(arguments)")
            }
            #expect(f.adminRequests == 0)
            #expect(f.eu.requestCount(.token) == 0)
        }
    }

    @Test func protectedUserGivenByIdIsFoundAndSpared() async throws {
        try await withRouter { f in
            let code7 = try await f.code("logout_user", ["user_id": .string(breakGlassID)])
            #expect(code7 == "protected_user")
            #expect(f.eu.requestCount(.user) == 1)
            #expect(f.eu.requestCount(.logout) == 0)
            let count8 = try onlineSessions(f.eu, "customers", breakGlassID)
            #expect(count8 == 2)
        }
    }

    @Test func keycloaksAnswersMapToTheirCodes() async throws {
        try await withRouter { f in
            let code9 = try await f.code("logout_user", ["username": "nobody"])
            #expect(code9 == "user_not_found")
            let code10 = try await f.code("logout_user", ["user_id": "00000000-missing"])
            #expect(code10 == "user_not_found")
            let code11 = try await f.code("logout_user", ["user_id": .string(bobID), "realm": "partner-ghost"])
            #expect(code11 == "realm_not_found")
            let forbidden = try await f.call("logout_user", ["user_id": .string(bobID), "realm": "partner-noroles"])
            #expect(forbidden.structuredContent["error"]?["code"] == "upstream_forbidden")
            #expect(forbidden.structuredContent["error"]?["upstream_status"] == 403)
            #expect(forbidden.structuredContent["error"]?["retryable"] == false)
            let auth = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "wrong-secret"])
            #expect(auth.structuredContent["error"]?["code"] == "upstream_auth_failed")
            #expect(auth.structuredContent["error"]?["message"]?.stringValue?.contains("Invalid client or Invalid client credentials") == true)
            #expect(!auth.text.contains(proxySecret) && !auth.text.contains("not-the-secret"))
            let down = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "unreachable"])
            #expect(down.structuredContent["error"]?["code"] == "upstream_unavailable")
            #expect(down.structuredContent["error"]?["retryable"] == true)

            f.eu.failNext(1, with: .status(500, body: "{\"error\":\"unknown_error\"}"), only: .logout)
            let code12 = try await f.code("logout_user", ["username": "alice"])
            #expect(code12 == "upstream_error")

            f.eu.stall(.logout)
            let started = ContinuousClock.now
            let slowCode = try await f.code("logout_user", ["user_id": .string(bobID), "tenant": "slow"])
            #expect(slowCode == "upstream_timeout")
            #expect(ContinuousClock.now - started < .seconds(6))
            f.eu.releaseStalled()
        }
    }

    @Test func agentsSeeAndUseOnlyWhatTheirPolicyAllows() async throws {
        let agents = """
            agents:
              reader:
                token: reader-token-0123456789
                tools: [list_tenants, get_user_sessions]
                tenants: { us: {} }
              partners:
                token: partner-token-0123456789
                tools: [logout_user]
                tenants: { eu: { realms: ["partner-*"] } }
            """
        try await withRouter(agents: agents) { f in
            let config = f.router.registry.current.config
            let reader = Caller(agent: config.agents?.first { $0.name == "reader" })
            let partners = Caller(agent: config.agents?.first { $0.name == "partners" })

            #expect(f.router.tools(for: reader).map(\.name) == [.getUserSessions, .listTenants])
            #expect(f.router.tools(for: reader).first?.inputSchema["properties"]?["tenant"]?["enum"] == ["us"])
            #expect(f.router.tools(for: partners).first?.inputSchema["properties"]?["tenant"]?["enum"] == ["eu"])
            #expect(f.router.tools(for: .anonymous).count == 3)

            await #expect(throws: ToolCallRejection(.unknownTool, "unknown tool \"logout_user\"")) {
                try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "us"], as: reader)
            }
            let code14 = try await f.code("get_user_sessions", ["user_id": .string(bobID)], as: reader)
            #expect(code14 == "unknown_tenant")
            let listed = try await f.call("list_tenants", [:], as: reader)
            #expect(listed.structuredContent["tenants"].map { value -> Int in if case .array(let a) = value { a.count } else { -1 } } == 1)
            #expect(listed.structuredContent["default_tenant"] == nil)

            let code15 = try await f.code("logout_user", ["user_id": .string(bobID)], as: partners)
            #expect(code15 == "policy_denied")
            #expect(f.adminRequests == 0)
            let code16 = try await f.code("logout_user", ["user_id": .string(bobID), "realm": "partner-acme"], as: partners)
            #expect(code16 == nil)
            let count17 = try onlineSessions(f.eu, "partner-acme", bobID)
            #expect(count17 == 0)
        }
    }

    @Test func protocolMisuseIsRejectedNotAnswered() async throws {
        try await withRouter { f in
            await #expect(throws: ToolCallRejection(.unknownTool, "unknown tool \"delete_realm\"")) {
                try await f.call("delete_realm", [:])
            }
            await #expect(throws: ToolCallRejection(.invalidParams, "argument \"user_id\" must be a string")) {
                try await f.call("logout_user", ["user_id": 42])
            }
            await #expect(throws: ToolCallRejection(.invalidParams, "unknown argument \"user\" for logout_user; expected: user_id, username, realm, tenant, dry_run")) {
                try await f.call("logout_user", ["user": "bob"])
            }
            #expect(f.adminRequests == 0)
        }
    }

    @Test func everyCallLeavesOneAuditLineWithoutSecrets() async throws {
        try await withRouter { f in
            _ = try await f.call("logout_user", ["username": "alice", "tenant": "us"])
            _ = try await f.call("logout_user", ["user_id": .string(bobID), "realm": "master"])
            _ = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "wrong-secret"])
            _ = try? await f.call("nope", [:])
            let records = try f.auditRecords()
            try #require(records.count == 4)
            #expect(records[0]["outcome"] as? String == "ok")
            #expect(records[0]["tenant"] as? String == "us")
            #expect(records[0]["user_id"] as? String == aliceID)
            #expect(records[0]["username"] as? String == "alice")
            #expect(records[0]["agent"] as? String == "anonymous")
            #expect((records[0]["request_id"] as? String)?.count == 16)
            #expect(records[1]["decision"] as? String == "deny")
            #expect(records[1]["reason"] as? String == "realm_denied")
            #expect(records[1]["outcome"] as? String == "denied")
            #expect(records[2]["error_code"] as? String == "upstream_auth_failed")
            #expect(records[2]["upstream_status"] as? Int == 401)
            #expect(records[3]["error_code"] as? String == "unknown_tool")
            let text = try String(contentsOfFile: f.auditPath, encoding: .utf8)
            #expect(!text.contains(proxySecret) && !text.contains("not-the-secret"))
        }
    }
}
