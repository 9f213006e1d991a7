/// What `logout_user` answers when Keycloak logged the user out, or on a dry run would have.
public struct LogoutResult: Sendable, Hashable {
    public var tenant: String
    public var realm: String
    public var userID: String
    /// Known when the call named the user by username, or looked it up (protected users, dry runs).
    public var username: String?
    /// A dry run's count of the user's online sessions; nil when the logout was done.
    public var dryRunSessions: Int?

    public init(tenant: String, realm: String, userID: String, username: String?, dryRunSessions: Int? = nil) {
        self.tenant = tenant
        self.realm = realm
        self.userID = userID
        self.username = username
        self.dryRunSessions = dryRunSessions
    }

    /// What the agent is told.
    public var message: String {
        guard let sessions = dryRunSessions else { return "User \(userID) logged out from all sessions" }
        return "Dry run: user \(userID) would be logged out from \(sessions) session\(sessions == 1 ? "" : "s"); nothing was changed"
    }

    /// The result as a JSON object.
    public var structured: JSONValue {
        var result: [String: JSONValue] = [
            "tenant": .string(tenant), "realm": .string(realm), "user_id": .string(userID), "message": .string(message),
            "status": dryRunSessions == nil ? "success" : "dry_run", "dry_run": .bool(dryRunSessions != nil),
        ]
        result["username"] = username.map(JSONValue.string)
        result["sessions"] = dryRunSessions.map(JSONValue.int)
        return .object(result)
    }
}

extension LogoutResult: Encodable {
    private enum CodingKeys: String, CodingKey {
        case tenant, realm, userID = "user_id", username, message, status, dryRun = "dry_run", sessions
    }

    /// The same object as ``structured``, written by the encoder without a ``JSONValue`` in
    /// between: every successful logout's result is encoded this way.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(realm, forKey: .realm)
        try container.encode(userID, forKey: .userID)
        try container.encodeIfPresent(username, forKey: .username)
        try container.encode(message, forKey: .message)
        try container.encode(dryRunSessions == nil ? "success" : "dry_run", forKey: .status)
        try container.encode(dryRunSessions != nil, forKey: .dryRun)
        try container.encodeIfPresent(dryRunSessions, forKey: .sessions)
    }
}
