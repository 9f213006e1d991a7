/// A realm to create in the emulator.
public struct EmulatedRealm: Sendable, Hashable {
    public var name: String
    /// A disabled realm refuses tokens with 403 `access_denied`.
    public var enabled: Bool
    /// Access token lifespan; Keycloak's defaults are 60 s in master and 300 s elsewhere.
    /// Values under one second are raised to one second.
    public var accessTokenLifespan: Duration

    public init(name: String, enabled: Bool = true, accessTokenLifespan: Duration? = nil) {
        self.name = name
        self.enabled = enabled
        self.accessTokenLifespan = accessTokenLifespan ?? (name == "master" ? .seconds(60) : .seconds(300))
    }
}
