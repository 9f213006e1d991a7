/// Why a call is refused, in words an agent (and the audit log) can act on.
public struct PolicyDenial: Error, Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// The agent's `tools` list does not hold the tool.
        case toolNotAllowed = "tool_not_allowed"
        /// The agent's `tenants` section does not name the tenant.
        case tenantNotAllowed = "tenant_not_allowed"
        /// A `denied_realms` entry matches the realm.
        case realmDenied = "realm_denied"
        /// No `allowed_realms` entry (or the default realm) matches the realm.
        case realmNotAllowed = "realm_not_allowed"
        /// The realm is outside the agent's narrowed realms for the tenant.
        case realmOutsideAgentScope = "realm_outside_agent_scope"
        /// The user is in `protected_users`.
        case protectedUser = "protected_user"
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The error code the caller sees.
    public var code: ToolErrorCode {
        switch reason {
        case .protectedUser: .protectedUser
        // A caller is not told that a tenant it may not use exists.
        case .tenantNotAllowed: .unknownTenant
        default: .policyDenied
        }
    }
}
