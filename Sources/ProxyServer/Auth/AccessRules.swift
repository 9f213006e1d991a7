public import ProxyCore

/// Who may call `/mcp` and from which browser origins: what one config says.
public struct AccessRules: Sendable {
    public let authenticator: BearerAuthenticator
    public let origins: OriginPolicy
    /// `server.oauth` and `server.public_url`, when agents may sign in with access tokens.
    public let resource: ProtectedResource?

    public init(authenticator: BearerAuthenticator, origins: OriginPolicy, resource: ProtectedResource? = nil) {
        self.authenticator = authenticator
        self.origins = origins
        self.resource = resource
    }
}
