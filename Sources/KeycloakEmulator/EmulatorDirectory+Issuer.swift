import Foundation

extension EmulatorDirectory {
    /// `GET {prefix}/realms/{realm}/.well-known/openid-configuration` and RFC 8414's
    /// `GET {prefix}/.well-known/oauth-authorization-server/realms/{realm}`. `base` is
    /// `scheme://host:port` and the prefix, as the request reached the emulator.
    func discovery(realm name: String, base: String) -> EmulatorReply {
        guard let realm = realms[name] else { return .error(404, "Realm does not exist") }
        var scopes = Set<String>()
        for client in realm.clients.values {
            scopes.formUnion(client.defaultScopes)
            scopes.formUnion(client.optionalScopes)
        }
        scopes.remove("openid")
        return .json(
            200,
            DiscoveryDocument(
                issuer: IssuerURL.issuer(base: base, realm: name),
                signingAlgorithms: realm.settings.ecSigningKey ? ["ES256", "RS256"] : ["RS256"],
                scopes: ["openid"] + scopes.sorted()))
    }

    /// Whether a realm's JWKS lists an ES256 key; `nil` for an unknown realm.
    func listsP256Key(realm name: String) -> Bool? {
        realms[name]?.settings.ecSigningKey
    }

    /// The claims the token endpoint would give a client_credentials token of `clientID` now,
    /// for tokens minted on request.
    func serviceAccountClaims(realm name: String, clientID: String, issuer: String) throws(EmulatorSeedError)
        -> AccessTokenClaims
    {
        guard let realm = realms[name] else { throw .unknownRealm(name) }
        guard let client = realm.clients[clientID] else { throw .unknownClient(realm: name, clientID: clientID) }
        guard client.serviceAccountsEnabled, let userID = realm.serviceAccountUsers[clientID],
            let user = realm.users[userID]
        else { throw .noServiceAccount(realm: name, clientID: clientID) }
        return realm.accessTokenClaims(
            issuer: issuer, client: client, user: user.user, isServiceAccount: true, sessionID: nil,
            scope: client.defaultScopes.joined(separator: " "), issuedAt: Self.epochMilliseconds() / 1000,
            expiresIn: realm.accessTokenExpiresIn)
    }
}
