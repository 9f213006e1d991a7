/// The `kid`s of a realm's keys, from ``KeycloakEmulator/keyIDs(realm:)``.
public struct RealmKeyIDs: Sendable, Hashable {
    /// The RS256 key that signs new tokens.
    public var activeSigning: String
    /// Every RS256 signing key the JWKS lists, oldest first (the active one included).
    public var signing: [String]
    /// The RSA-OAEP key (`use: enc`), listed but never signing what the token endpoint issues.
    public var encryption: String
    /// The ES256 key, for realms with ``EmulatedRealm/ecSigningKey``.
    public var ecSigning: String?
    /// Keys dropped with ``KeycloakEmulator/removeSigningKey(realm:kid:)``, oldest first.
    public var removed: [String]
}
