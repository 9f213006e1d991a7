/// Who may call `/mcp` and from which browser origins: what one config says.
public struct AccessRules: Sendable {
    public let authenticator: BearerAuthenticator
    public let origins: OriginPolicy

    public init(authenticator: BearerAuthenticator, origins: OriginPolicy) {
        self.authenticator = authenticator
        self.origins = origins
    }
}
