/// One online session of a user (`GET .../users/{id}/sessions`).
public struct UserSession: Sendable, Hashable, Codable {
    public var id: String
    public var username: String?
    public var userId: String?
    public var ipAddress: String?
    /// Epoch milliseconds.
    public var start: Int64?
    /// Epoch milliseconds.
    public var lastAccess: Int64?
    public var rememberMe: Bool?
    /// Client uuid to `clientId`.
    public var clients: [String: String]?

    public init(
        id: String, username: String? = nil, userId: String? = nil, ipAddress: String? = nil, start: Int64? = nil,
        lastAccess: Int64? = nil, rememberMe: Bool? = nil, clients: [String: String]? = nil
    ) {
        self.id = id
        self.username = username
        self.userId = userId
        self.ipAddress = ipAddress
        self.start = start
        self.lastAccess = lastAccess
        self.rememberMe = rememberMe
        self.clients = clients
    }
}
