/// The tools a caller may see, with input schemas that list only the tenants it may use.
public enum ToolCatalog {
    public static func tools(for caller: Caller, config: ProxyConfig) -> [ToolDescriptor] {
        let tenants = config.tenants.filter { Policy.check(caller, tenant: $0) == nil }.map(\.name)
        return ToolName.allCases.compactMap { tool in
            guard Policy.check(caller, tool: tool) == nil else { return nil }
            return descriptor(tool, tenants: tenants, defaultTenant: config.defaultTenant.flatMap { tenants.contains($0) ? $0 : nil })
        }
    }

    static func descriptor(_ tool: ToolName, tenants: [String], defaultTenant: String?) -> ToolDescriptor {
        let tenantDescription: [String: JSONValue] = [
            "type": "string",
            "enum": .array(tenants.map(JSONValue.string)),
            "description": .string(
                defaultTenant.map { "The Keycloak to act on (default: \($0)). list_tenants shows each one's realms." }
                    ?? "The Keycloak to act on (required: there is no default). list_tenants shows each one's realms."
            ),
        ]
        let tenantProperty = JSONValue.object(tenantDescription)
        let userProperties: [String: JSONValue] = [
            "user_id": ["type": "string", "description": "The user's ID. Give user_id or username, not both."],
            "username": ["type": "string", "description": "The user's username, matched exactly. Give user_id or username, not both."],
            "realm": ["type": "string", "description": "Target realm (uses the tenant's default if not specified)."],
            "tenant": tenantProperty,
        ]
        switch tool {
        case .logoutUser:
            var properties = userProperties
            var tenant = tenantDescription
            tenant["x-mcp-header"] = tool.headerArguments["tenant"].map(JSONValue.string)
            properties["tenant"] = .object(tenant)
            properties["dry_run"] = [
                "type": "boolean",
                "description": "Check policy and find the user and their sessions, but log nobody out.",
                "default": false,
            ]
            return ToolDescriptor(
                name: tool,
                title: "Log out a user",
                description: """
                    Terminate all active sessions for a specified user in a Keycloak realm. Requires the user ID \
                    (or username) and optionally a target realm and tenant. Offline sessions remain. Idempotent: \
                    logging out a user with no sessions succeeds.
                    """,
                inputSchema: ["type": "object", "properties": .object(properties), "additionalProperties": false],
                outputSchema: OutputSchemas.logoutUser,
                annotations: .init(title: "Log out a user", readOnly: false, destructive: true, idempotent: true, openWorld: true)
            )
        case .getUserSessions:
            return ToolDescriptor(
                name: tool,
                title: "List a user's sessions",
                description: "List the active sessions of a user in a Keycloak realm: IP address, start, last access and clients.",
                inputSchema: ["type": "object", "properties": .object(userProperties), "additionalProperties": false],
                outputSchema: OutputSchemas.getUserSessions,
                annotations: .init(title: "List a user's sessions", readOnly: true, destructive: false, idempotent: true, openWorld: true)
            )
        case .listTenants:
            return ToolDescriptor(
                name: tool,
                title: "List tenants",
                description: "List the Keycloak tenants this caller may use, with their default realm and the realm patterns allowed.",
                inputSchema: ["type": "object", "properties": [:], "additionalProperties": false],
                outputSchema: OutputSchemas.listTenants,
                annotations: .init(title: "List tenants", readOnly: true, destructive: false, idempotent: true, openWorld: false)
            )
        }
    }
}
