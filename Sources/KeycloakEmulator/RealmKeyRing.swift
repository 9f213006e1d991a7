/// The keys of one realm: signing keys in the order they were made, the active one, the
/// encryption key, an optional ES256 key, and the keys removed from the JWKS.
struct RealmKeyRing: Sendable {
    /// RS256 signing keys listed in the JWKS, oldest first.
    var signing: [IssuerKey] = []
    /// The signing key that signs new tokens.
    var activeKID: String?
    /// The RSA-OAEP key, made on first need.
    var encryption: IssuerKey?
    /// The ES256 key, made on first need for realms that list one.
    var p256: IssuerKey?
    /// Keys dropped from the JWKS; they can still sign a token on request.
    var removed: [IssuerKey] = []

    var active: IssuerKey? {
        signing.first { $0.kid == activeKID }
    }

    /// Adds a signing key and makes it the active one.
    mutating func activate(_ key: IssuerKey) {
        signing.append(key)
        activeKID = key.kid
    }

    /// Moves a listed RS256 signing key to ``removed``; the newest remaining one becomes active
    /// if the active one went (none left: a new one is made on next need). Returns whether the
    /// key was listed.
    mutating func remove(kid: String) -> Bool {
        guard let index = signing.firstIndex(where: { $0.kid == kid }) else { return false }
        removed.append(signing.remove(at: index))
        if activeKID == kid { activeKID = signing.last?.kid }
        return true
    }

    /// Any key the realm has had, listed or removed.
    func key(kid: String) -> IssuerKey? {
        (signing + [encryption, p256].compactMap { $0 } + removed).first { $0.kid == kid }
    }

    /// What the JWKS lists: the encryption key first (as Keycloak often does), then signing keys
    /// newest first, then the ES256 key.
    func listed(includingP256: Bool) -> [IssuerKey] {
        [encryption].compactMap { $0 } + signing.reversed() + (includingP256 ? [p256].compactMap { $0 } : [])
    }
}
