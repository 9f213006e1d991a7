/// What a validated access token says about who sent it: the claims that map it to an agent,
/// its scopes, and those the audit record keeps. Never the token itself.
public struct TokenIdentity: Sendable, Hashable {
    /// `iss`.
    public var issuer: String
    /// `sub`.
    public var subject: String?
    /// `azp`: the client the token was issued to.
    public var authorizedParty: String?
    /// `jti`.
    public var tokenID: String?
    /// `preferred_username`.
    public var username: String?
    /// `realm_access.roles`.
    public var realmRoles: Set<String>
    /// `resource_access.CLIENT.roles`, by client.
    public var clientRoles: [String: Set<String>]
    /// `scope`, split on spaces.
    public var scopes: Set<String>

    public init(
        issuer: String, subject: String? = nil, authorizedParty: String? = nil, tokenID: String? = nil, username: String? = nil,
        realmRoles: Set<String> = [], clientRoles: [String: Set<String>] = [:], scopes: Set<String> = []
    ) {
        self.issuer = issuer
        self.subject = subject
        self.authorizedParty = authorizedParty
        self.tokenID = tokenID
        self.username = username
        self.realmRoles = realmRoles
        self.clientRoles = clientRoles
        self.scopes = scopes
    }
}
