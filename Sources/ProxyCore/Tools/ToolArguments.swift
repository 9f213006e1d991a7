/// A tool call's arguments, checked for shape: known names, right JSON types.
struct ToolArguments {
    var userID: String?
    var username: String?
    var realm: String?
    var tenant: String?
    var dryRun = false

    static func keys(for tool: ToolName) -> [String] {
        switch tool {
        case .logoutUser: logoutUserKeys
        case .getUserSessions: getUserSessionsKeys
        case .listTenants: []
        }
    }

    private static let logoutUserKeys = ["user_id", "username", "realm", "tenant", "dry_run"]
    private static let getUserSessionsKeys = ["user_id", "username", "realm", "tenant"]

    /// Reads arguments; a wrong name or type is a JSON-RPC error (protocol misuse). Of several
    /// wrong ones, the first by name is reported.
    init(_ arguments: [String: JSONValue], tool: ToolName) throws(ToolCallRejection) {
        let known = Self.keys(for: tool)
        var problem: (key: String, message: String)?
        for (key, value) in arguments {
            if let problem, problem.key < key { continue }
            guard known.contains(key) else {
                let expected = known.isEmpty ? "it takes no arguments" : "expected: " + known.joined(separator: ", ")
                problem = (key, "unknown argument \"\(key)\" for \(tool.rawValue); \(expected)")
                continue
            }
            switch (key, value) {
            case (_, .null): continue
            case ("dry_run", .bool(let flag)): dryRun = flag
            case ("dry_run", _): problem = (key, "argument \"dry_run\" must be a boolean")
            case (_, .string(let text)):
                switch key {
                case "user_id": userID = text
                case "username": username = text
                case "realm": realm = text
                default: tenant = text
                }
            default:
                problem = (key, "argument \"\(key)\" must be a string")
            }
        }
        if let problem {
            throw ToolCallRejection(.invalidParams, problem.message)
        }
    }
}
