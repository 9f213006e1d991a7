import JWTKit

/// The payload of an access token, with Keycloak's claims (keycloak-behavior.md section 7).
///
/// Tokens are RS256 JWTs signed with the realm's active key; the admin API still checks them by
/// looking them up. Hostile variants (``TokenAdjustment``) change these fields before signing.
struct AccessTokenClaims: JWTPayload, Sendable {
    /// `realm_access` and each entry of `resource_access`.
    struct Roles: Codable, Sendable, Hashable {
        var roles: [String]
    }

    /// Epoch seconds; `nil` leaves the claim out.
    var exp: Int64?
    /// Epoch seconds.
    var iat: Int64
    /// Epoch seconds; only hostile variants set it.
    var nbf: Int64?
    var jti: String
    var iss: String
    /// Written as a string when there is one value, an array when more, left out when none.
    var aud: [String]
    var sub: String
    /// `Bearer` for access tokens (Keycloak's ID and refresh tokens say `ID` and `Refresh`).
    var typ: String
    var azp: String
    /// The session; `nil` (left out) for client_credentials.
    var sid: String?
    /// Space-separated.
    var scope: String
    var preferredUsername: String
    var realmAccess: Roles?
    var resourceAccess: [String: Roles]?
    /// Only on service-account tokens.
    var clientID: String?

    enum CodingKeys: String, CodingKey {
        case exp, iat, nbf, jti, iss, aud, sub, typ, azp, sid, scope
        case preferredUsername = "preferred_username"
        case realmAccess = "realm_access"
        case resourceAccess = "resource_access"
        case clientID = "client_id"
    }

    init(
        exp: Int64?, iat: Int64, jti: String, iss: String, aud: [String], sub: String, typ: String = "Bearer",
        azp: String, sid: String?, scope: String, preferredUsername: String, realmAccess: Roles?,
        resourceAccess: [String: Roles]?, clientID: String?
    ) {
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.typ = typ
        self.azp = azp
        self.sid = sid
        self.scope = scope
        self.preferredUsername = preferredUsername
        self.realmAccess = realmAccess
        self.resourceAccess = resourceAccess
        self.clientID = clientID
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exp = try c.decodeIfPresent(Int64.self, forKey: .exp)
        iat = try c.decode(Int64.self, forKey: .iat)
        nbf = try c.decodeIfPresent(Int64.self, forKey: .nbf)
        jti = try c.decode(String.self, forKey: .jti)
        iss = try c.decode(String.self, forKey: .iss)
        if let one = try? c.decode(String.self, forKey: .aud) {
            aud = [one]
        } else {
            aud = try c.decodeIfPresent([String].self, forKey: .aud) ?? []
        }
        sub = try c.decode(String.self, forKey: .sub)
        typ = try c.decode(String.self, forKey: .typ)
        azp = try c.decode(String.self, forKey: .azp)
        sid = try c.decodeIfPresent(String.self, forKey: .sid)
        scope = try c.decode(String.self, forKey: .scope)
        preferredUsername = try c.decode(String.self, forKey: .preferredUsername)
        realmAccess = try c.decodeIfPresent(Roles.self, forKey: .realmAccess)
        resourceAccess = try c.decodeIfPresent([String: Roles].self, forKey: .resourceAccess)
        clientID = try c.decodeIfPresent(String.self, forKey: .clientID)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(exp, forKey: .exp)
        try c.encode(iat, forKey: .iat)
        try c.encodeIfPresent(nbf, forKey: .nbf)
        try c.encode(jti, forKey: .jti)
        try c.encode(iss, forKey: .iss)
        if aud.count == 1 {
            try c.encode(aud[0], forKey: .aud)
        } else if !aud.isEmpty {
            try c.encode(aud, forKey: .aud)
        }
        try c.encode(sub, forKey: .sub)
        try c.encode(typ, forKey: .typ)
        try c.encode(azp, forKey: .azp)
        try c.encodeIfPresent(sid, forKey: .sid)
        try c.encode(scope, forKey: .scope)
        try c.encode(preferredUsername, forKey: .preferredUsername)
        try c.encodeIfPresent(realmAccess, forKey: .realmAccess)
        try c.encodeIfPresent(resourceAccess, forKey: .resourceAccess)
        try c.encodeIfPresent(clientID, forKey: .clientID)
    }

    /// Nothing: the emulator signs these, it does not verify them.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
