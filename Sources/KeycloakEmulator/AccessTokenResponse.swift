/// The token endpoint's success body (keycloak-behavior.md section 1).
struct AccessTokenResponse: Encodable, Sendable {
    var accessToken: String
    var expiresIn: Int64
    var refreshExpiresIn: Int64
    /// Only for grants that start a session.
    var refreshToken: String?
    var tokenType: String
    var notBeforePolicy: Int64 = 0
    /// The session's id; only with a refresh token.
    var sessionState: String?
    var scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case refreshExpiresIn = "refresh_expires_in"
        case refreshToken = "refresh_token"
        case tokenType = "token_type"
        case notBeforePolicy = "not-before-policy"
        case sessionState = "session_state"
        case scope
    }
}
