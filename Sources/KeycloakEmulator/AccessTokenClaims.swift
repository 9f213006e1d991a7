/// The JSON inside an issued access token: its JOSE header and its payload. The emulator checks
/// tokens by looking them up, so the signature part is random bytes.
struct AccessTokenClaims: Encodable, Sendable {
    /// The JOSE header every emulated token carries.
    struct Header: Encodable, Sendable {
        var alg = "RS256"
        var typ = "JWT"
        var kid = "keycloak-emulator"
    }

    /// Epoch seconds.
    var exp: Int64
    /// Epoch seconds.
    var iat: Int64
    var jti: String
    var iss: String
    var sub: String
    var typ = "Bearer"
    var azp: String
    /// The session; `nil` (left out) for client_credentials.
    var sid: String?
    var preferredUsername: String

    enum CodingKeys: String, CodingKey {
        case exp, iat, jti, iss, sub, typ, azp, sid
        case preferredUsername = "preferred_username"
    }
}
