/// The access rules of the config as one pure function: no I/O, no state.
public enum Policy {
    /// May `caller` use `tool` at all?
    public static func check(_ caller: Caller, tool: ToolName) -> PolicyDenial? {
        guard let agent = caller.agent, !agent.tools.contains(tool) else { return nil }
        return PolicyDenial(.toolNotAllowed, "agent \(agent.name) may not call \(tool.rawValue)")
    }

    /// May `caller` use `tenant` at all?
    public static func check(_ caller: Caller, tenant: TenantConfig) -> PolicyDenial? {
        guard let agent = caller.agent, let scopes = agent.tenants, scopes[tenant.name] == nil else { return nil }
        return PolicyDenial(.tenantNotAllowed, "no tenant \"\(tenant.name)\" is available to this caller")
    }

    /// May `caller` call `tool` on `realm` of `tenant`? Denied realms win over allowed ones; an
    /// agent's realms narrow the tenant's.
    public static func check(_ caller: Caller, tool: ToolName, tenant: TenantConfig, realm: String) -> PolicyDenial? {
        if let denial = check(caller, tool: tool) ?? check(caller, tenant: tenant) { return denial }
        if let pattern = tenant.realms.denial(of: realm) {
            return PolicyDenial(.realmDenied, "realm \"\(realm)\" of tenant \(tenant.name) is denied (denied_realms entry \"\(pattern)\")")
        }
        guard tenant.realms.admits(realm) else {
            return PolicyDenial(.realmNotAllowed, "realm \"\(realm)\" is not allowed on tenant \(tenant.name)")
        }
        if let agent = caller.agent, let scope = agent.tenants?[tenant.name], let patterns = scope,
            !patterns.contains(where: { $0.matches(realm) })
        {
            return PolicyDenial(.realmOutsideAgentScope, "agent \(agent.name) may not use realm \"\(realm)\" of tenant \(tenant.name)")
        }
        return nil
    }

    /// Is this user protected on `tenant`? Matched against the id and the username; usernames
    /// compare case-insensitively, as Keycloak stores them lower-cased.
    public static func protection(of tenant: TenantConfig, userID: String?, username: String?) -> PolicyDenial? {
        for entry in tenant.protectedUsers {
            if entry == userID || (username.map { entry.lowercased() == $0.lowercased() } ?? false) {
                return PolicyDenial(.protectedUser, "user \"\(entry)\" is protected on tenant \(tenant.name) and is never logged out")
            }
        }
        return nil
    }

    /// The realm patterns `caller` may use on `tenant`, for `list_tenants`: the tenant's own, or
    /// the agent's narrower ones. nil when the tenant is not available to the caller.
    public static func visibleRealms(_ caller: Caller, tenant: TenantConfig) -> [RealmPattern]? {
        if check(caller, tenant: tenant) != nil { return nil }
        if let agent = caller.agent, let scope = agent.tenants?[tenant.name], let patterns = scope {
            return patterns
        }
        return tenant.realms.effectiveAllowed
    }
}
