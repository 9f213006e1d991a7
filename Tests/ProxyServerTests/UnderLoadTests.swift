import KeycloakEmulator
import ProxyCore
import Testing

extension EndToEnd {
    /// Named to sort last among this target's serialized suites: on a two-core machine its burst
    /// would otherwise overlap the other targets' timing-sensitive tests at the start of the run.
    /// Tenants without protected users, so each call is one admin request (the logout).
    @Suite("Concurrent tool calls", .timeLimit(.minutes(1)))
    struct UnderLoadTests {
        /// Logs out on eu only.
        static let euResponder = TestAgent(
            name: "eu-responder", token: "eu-responder-token-0123456789", tools: [.logoutUser], tenants: ["eu": nil])

        @Test("200 concurrent calls from three agents on two tenants all succeed, each at the right Keycloak")
        func twoHundredCalls() async throws {
            let usersPerTenant = 100
            try await withTwoTenants { eu, us in
                for (emulator, prefix) in [(eu, "eu"), (us, "us")] {
                    for index in 0..<usersPerTenant {
                        let id = try emulator.addUser(EmulatedUser(id: "\(prefix)-load-\(index)", username: "load-\(index)"), realm: "customers")
                        try emulator.addSession(realm: "customers", userID: id, clientID: "account-console")
                    }
                }
                let agents = [TestAgent.incidentBot, .usResponder, Self.euResponder]
                try await withProxy(proxyConfig([tenantConfig("eu", eu, protectedUsers: []), tenantConfig("us", us, protectedUsers: [])], agents: agents), connections: 32) { client in
                    // Even users by incident-bot, odd ones by the tenant's own responder.
                    let calls: [(tenant: String, user: String, agent: TestAgent)] = (0..<usersPerTenant).flatMap { index in
                        [
                            ("eu", "eu-load-\(index)", index.isMultiple(of: 2) ? TestAgent.incidentBot : Self.euResponder),
                            ("us", "us-load-\(index)", index.isMultiple(of: 2) ? TestAgent.incidentBot : TestAgent.usResponder),
                        ]
                    }
                    #expect(calls.count == 200)
                    let results = try await withThrowingTaskGroup(of: (Int, JSON).self) { group in
                        for (index, call) in calls.enumerated() {
                            group.addTask {
                                let result = try await client.callTool(
                                    "logout_user", ["tenant": .string(call.tenant), "user_id": .string(call.user)], token: call.agent.token, id: index)
                                return (index, result)
                            }
                        }
                        var results: [Int: JSON] = [:]
                        for try await (index, result) in group { results[index] = result }
                        return results
                    }
                    #expect(results.count == 200)
                    for (index, call) in calls.enumerated() {
                        let result = try #require(results[index])
                        #expect(result["isError"].bool == false, "\(call): \(result)")
                        #expect(result["structuredContent"]["tenant"].string == call.tenant)
                        #expect(result["structuredContent"]["user_id"].string == call.user)
                    }
                    #expect(eu.requestCount(.logout) == usersPerTenant)
                    #expect(us.requestCount(.logout) == usersPerTenant)
                    // One admin request per call, each at its own tenant, and one token per tenant.
                    #expect(eu.adminRequestCount == usersPerTenant && us.adminRequestCount == usersPerTenant)
                    #expect(eu.requestCount(.token) == 1 && us.requestCount(.token) == 1)
                    for index in 0..<usersPerTenant {
                        #expect(try onlineSessions(eu, "eu-load-\(index)") == 0)
                        #expect(try onlineSessions(us, "us-load-\(index)") == 0)
                    }
                    // Nobody else was touched.
                    #expect(try onlineSessions(eu, "eu-alice") == 2)
                    #expect(try onlineSessions(us, "us-alice") == 2)
                }
            }
        }
    }
}
