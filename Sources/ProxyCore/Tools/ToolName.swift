/// The MCP tools the proxy serves.
public enum ToolName: String, Sendable, Hashable, CaseIterable, Comparable {
    case logoutUser = "logout_user"
    case getUserSessions = "get_user_sessions"
    case listTenants = "list_tenants"

    public static func < (lhs: ToolName, rhs: ToolName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
