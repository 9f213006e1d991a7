/// The token endpoint's success body; only what the cache needs. The token itself is never
/// decoded: Keycloak may send a JWT or an opaque string.
struct TokenResponse: Decodable {
    var accessToken: String
    var expiresIn: Int?
    var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case tokenType = "token_type"
    }
}
