/// `agents.NAME.oauth`: the access tokens that are this agent's. The issuer must match, and
/// every other key given must too.
public struct AgentOAuthMatch: Sendable, Hashable {
    public struct ClientRole: Sendable, Hashable {
        public var client: String
        public var role: String

        public init(client: String, role: String) {
            self.client = client
            self.role = role
        }
    }

    public var issuer: String
    /// `azp`: the client the token was issued to.
    public var clientID: String?
    /// `sub`.
    public var subject: String?
    /// `preferred_username`.
    public var username: String?
    /// A realm role, in `realm_access.roles`.
    public var role: String?
    /// A client role, in `resource_access.CLIENT.roles`.
    public var clientRole: ClientRole?

    public init(
        issuer: String, clientID: String? = nil, subject: String? = nil, username: String? = nil, role: String? = nil,
        clientRole: ClientRole? = nil
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.subject = subject
        self.username = username
        self.role = role
        self.clientRole = clientRole
    }

    /// Whether `token` is this agent's.
    public func matches(_ token: TokenIdentity) -> Bool {
        token.issuer == issuer
            && (clientID.map { $0 == token.authorizedParty } ?? true)
            && (subject.map { $0 == token.subject } ?? true)
            && (username.map { $0 == token.username } ?? true)
            && (role.map { token.realmRoles.contains($0) } ?? true)
            && (clientRole.map { token.clientRoles[$0.client]?.contains($0.role) == true } ?? true)
    }
}
