extension EmulatorDirectory.Realm {
    /// Roles every Keycloak user and service account holds through `default-roles-<realm>`.
    static let defaultAccountRoles = ["manage-account", "manage-account-links", "view-profile"]

    /// `expires_in` of the realm's new access tokens: its lifespan in whole seconds, rounded up.
    var accessTokenExpiresIn: Int64 {
        let lifespan = settings.accessTokenLifespan
        return max(1, lifespan.components.seconds + (lifespan.components.attoseconds > 0 ? 1 : 0))
    }

    /// The claims of a new access token for `user` through `client`, laid out as Keycloak's.
    func accessTokenClaims(
        issuer: String, client: EmulatedClient, user: EmulatedUser, isServiceAccount: Bool, sessionID: String?,
        scope: String, issuedAt: Int64, expiresIn: Int64
    ) -> AccessTokenClaims {
        let realm = settings.name
        var realmRoles = user.realmRoles.union(["default-roles-\(realm)", "offline_access", "uma_authorization"])
        var clientRoles = user.clientRoles
        clientRoles["account", default: []].formUnion(Self.defaultAccountRoles)
        for role in user.roles {
            switch Self.tokenRole(role, tokenRealm: realm) {
            case .realm(let name)?: realmRoles.insert(name)
            case .client(let client, let name)?: clientRoles[client, default: []].insert(name)
            case nil: break
            }
        }
        let audience =
            client.audience ?? clientRoles.filter { !$0.value.isEmpty && $0.key != client.clientID }.keys.sorted()
        return AccessTokenClaims(
            exp: issuedAt + expiresIn, iat: issuedAt, jti: Identifiers.uuid(), iss: issuer, aud: audience, sub: user.id,
            azp: client.clientID, sid: sessionID, scope: scope, preferredUsername: user.username,
            realmAccess: .init(roles: realmRoles.sorted()),
            resourceAccess: clientRoles.filter { !$0.value.isEmpty }.mapValues { .init(roles: $0.sorted()) },
            clientID: isServiceAccount ? client.clientID : nil)
    }

    /// Where Keycloak keeps an admin role, seen from a token of `tokenRealm`.
    private enum TokenRole {
        case realm(String)
        case client(String, String)
    }

    /// `admin` is a realm role in master and `realm-admin` of `realm-management` elsewhere; the
    /// user roles are on `realm-management` of the realm itself, or on master's `<realm>-realm`.
    private static func tokenRole(_ role: AdminRole, tokenRealm: String) -> TokenRole? {
        let (target, name): (String, String)
        switch role {
        case .admin: return tokenRealm == "master" ? .realm("admin") : .client("realm-management", "realm-admin")
        case .manageUsers(let realm): (target, name) = (realm, "manage-users")
        case .viewUsers(let realm): (target, name) = (realm, "view-users")
        case .queryUsers(let realm): (target, name) = (realm, "query-users")
        }
        if tokenRealm == "master" { return .client("\(target)-realm", name) }
        return target == tokenRealm ? .client("realm-management", name) : nil
    }
}
