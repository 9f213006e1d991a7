/// A tool call's arguments, checked for shape: known names, right JSON types.
struct ToolArguments {
    var userID: String?
    var username: String?
    var realm: String?
    var tenant: String?
    var dryRun = false

    static func keys(for tool: ToolName) -> [String] {
        switch tool {
        case .logoutUser: ["user_id", "username", "realm", "tenant", "dry_run"]
        case .getUserSessions: ["user_id", "username", "realm", "tenant"]
        case .listTenants: []
        }
    }

    /// Reads arguments; a wrong name or type is a JSON-RPC error (protocol misuse).
    init(_ arguments: [String: JSONValue], tool: ToolName) throws(ToolCallRejection) {
        let known = Self.keys(for: tool)
        for (key, value) in arguments.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else {
                let expected = known.isEmpty ? "it takes no arguments" : "expected: " + known.joined(separator: ", ")
                throw ToolCallRejection(.invalidParams, "unknown argument \"\(key)\" for \(tool.rawValue); \(expected)")
            }
            switch (key, value) {
            case (_, .null): continue
            case ("dry_run", .bool(let flag)): dryRun = flag
            case ("dry_run", _): throw ToolCallRejection(.invalidParams, "argument \"dry_run\" must be a boolean")
            case (_, .string(let text)):
                switch key {
                case "user_id": userID = text
                case "username": username = text
                case "realm": realm = text
                default: tenant = text
                }
            default:
                throw ToolCallRejection(.invalidParams, "argument \"\(key)\" must be a string")
            }
        }
    }
}
