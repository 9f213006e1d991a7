/// A realm to create in the emulator.
public struct EmulatedRealm: Sendable, Hashable {
    public var name: String
    /// A disabled realm refuses tokens with 403 `access_denied`.
    public var enabled: Bool
    /// Access token lifespan; Keycloak's defaults are 60 s in master and 300 s elsewhere.
    /// Values under one second are raised to one second.
    public var accessTokenLifespan: Duration
    /// Whether the realm's JWKS also lists an ES256 (P-256) signing key, as a realm with an
    /// `ecdsa-generated` key provider does. It signs only tokens minted with
    /// ``TokenAdjustment/signingKey(kid:)``; RS256 stays the realm's default algorithm.
    public var ecSigningKey: Bool

    public init(name: String, enabled: Bool = true, accessTokenLifespan: Duration? = nil, ecSigningKey: Bool = false) {
        self.name = name
        self.enabled = enabled
        self.accessTokenLifespan = accessTokenLifespan ?? (name == "master" ? .seconds(60) : .seconds(300))
        self.ecSigningKey = ecSigningKey
    }
}
