import JWTKit
import ProxyCore

/// The claims of an access token the proxy reads (Keycloak's layout). jwt-kit verifies the
/// signature; ``AccessTokenVerifier`` checks the claims, with the configured leeway.
struct AccessTokenClaims: JWTPayload {
    struct Roles: Codable, Sendable {
        var roles: [String]?
    }

    var iss: IssuerClaim
    var sub: SubjectClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    var jti: IDClaim?
    /// Keycloak's token type: `Bearer` for access tokens, `ID` or `Refresh` for the others.
    var typ: String?
    var azp: String?
    var scope: String?
    var preferredUsername: String?
    var realmAccess: Roles?
    var resourceAccess: [String: Roles]?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, nbf, iat, jti, typ, azp, scope
        case preferredUsername = "preferred_username"
        case realmAccess = "realm_access"
        case resourceAccess = "resource_access"
    }

    /// Nothing here: the times need the leeway and the audience the proxy's URL, which
    /// ``AccessTokenVerifier`` has.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Who the token says sent it.
    var identity: TokenIdentity {
        TokenIdentity(
            issuer: iss.value, subject: sub?.value, authorizedParty: azp, tokenID: jti?.value, username: preferredUsername,
            realmRoles: Set(realmAccess?.roles ?? []),
            clientRoles: (resourceAccess ?? [:]).mapValues { Set($0.roles ?? []) },
            scopes: Set((scope ?? "").split(separator: " ").map(String.init)))
    }
}
