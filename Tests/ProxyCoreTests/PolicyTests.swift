import KeycloakAdmin
import ProxyCore
import Testing

@Suite("Policy")
struct PolicyTests {
    let eu = TenantConfig(
        name: "eu",
        connection: ConnectionSettings(url: "https://sso.eu.example.com", auth: AdminAuth(realm: "master", clientID: "p", grant: .clientCredentials(secret: Secret("s")))),
        realms: RealmRules(defaultRealm: "customers", allowed: [RealmPattern("customers"), RealmPattern("partner-*")], denied: [RealmPattern("partner-internal")]),
        protectedUsers: ["Break-Glass-Admin", "0b7e6f9a-id"]
    )

    func agent(tools: Set<ToolName> = Set(ToolName.allCases), tenants: [String: [RealmPattern]?]? = nil) -> Caller {
        Caller(agent: AgentConfig(name: "bot", tokenSHA256: [], tools: tools, tenants: tenants))
    }

    @Test func anonymousCallerHasTheTenantsRules() {
        #expect(Policy.check(.anonymous, tool: .logoutUser, tenant: eu, realm: "customers") == nil)
        #expect(Policy.check(.anonymous, tool: .logoutUser, tenant: eu, realm: "partner-acme") == nil)
        #expect(Policy.check(.anonymous, tool: .logoutUser, tenant: eu, realm: "master")?.reason == .realmNotAllowed)
    }

    @Test func deniedRealmsWinOverAllowedOnes() {
        let denial = Policy.check(.anonymous, tool: .logoutUser, tenant: eu, realm: "partner-internal")
        #expect(denial == PolicyDenial(.realmDenied, "realm \"partner-internal\" of tenant eu is denied (denied_realms entry \"partner-internal\")"))
        #expect(denial?.code == .policyDenied)
    }

    @Test func toolsOutsideTheAgentsListAreDenied() {
        let caller = agent(tools: [.listTenants])
        #expect(Policy.check(caller, tool: .logoutUser, tenant: eu, realm: "customers") == PolicyDenial(.toolNotAllowed, "agent bot may not call logout_user"))
        #expect(Policy.check(caller, tool: .listTenants) == nil)
    }

    @Test func tenantsOutsideTheAgentsListLookUnknown() {
        let caller = agent(tenants: ["us": nil])
        let denial = Policy.check(caller, tool: .logoutUser, tenant: eu, realm: "customers")
        #expect(denial?.reason == .tenantNotAllowed)
        #expect(denial?.code == .unknownTenant)
        #expect(Policy.visibleRealms(caller, tenant: eu) == nil)
    }

    @Test func agentRealmsNarrowTheTenantsButNeverWidenThem() {
        let caller = agent(tenants: ["eu": [RealmPattern("partner-*")]])
        #expect(Policy.check(caller, tool: .logoutUser, tenant: eu, realm: "partner-acme") == nil)
        #expect(Policy.check(caller, tool: .logoutUser, tenant: eu, realm: "customers")?.reason == .realmOutsideAgentScope)
        // The tenant's denial still wins inside the agent's scope.
        #expect(Policy.check(caller, tool: .logoutUser, tenant: eu, realm: "partner-internal")?.reason == .realmDenied)
        #expect(Policy.visibleRealms(caller, tenant: eu) == [RealmPattern("partner-*")])
        #expect(Policy.visibleRealms(agent(tenants: ["eu": nil]), tenant: eu) == eu.realms.effectiveAllowed)
    }

    @Test func protectedUsersMatchIdOrUsernameIgnoringCase() {
        #expect(Policy.protection(of: eu, userID: "0b7e6f9a-id", username: nil)?.reason == .protectedUser)
        #expect(Policy.protection(of: eu, userID: "other", username: "break-glass-admin")?.code == .protectedUser)
        #expect(Policy.protection(of: eu, userID: "other", username: "alice") == nil)
    }
}
