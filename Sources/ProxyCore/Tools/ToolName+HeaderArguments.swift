extension ToolName {
    /// Arguments a client mirrors into a request header (`x-mcp-header` in the input schema;
    /// MCP 2026-07-28 sends them as `Mcp-Param-{header}`), by argument name.
    ///
    /// `logout_user`'s `tenant` is one, so a load balancer can route on the tenant and the proxy
    /// checks that the header and the argument agree.
    public var headerArguments: [String: String] {
        switch self {
        case .logoutUser: ["tenant": "Tenant"]
        case .getUserSessions, .listTenants: [:]
        }
    }
}
