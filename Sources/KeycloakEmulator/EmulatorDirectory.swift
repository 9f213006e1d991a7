/// Everything the emulated Keycloak knows: realms, clients, users, sessions and issued tokens.
///
/// A plain value kept behind one `Mutex` in ``KeycloakEmulator``; every method runs under that
/// lock without suspending, so a request holds it only for a few dictionary operations.
struct EmulatorDirectory: Sendable {
    struct Realm: Sendable {
        var settings: EmulatedRealm
        var clients: [String: EmulatedClient] = [:]
        /// Service-account user id by `clientId`.
        var serviceAccountUsers: [String: String] = [:]
        var users: [String: UserRecord] = [:]
        var userIDsByUsername: [String: String] = [:]
        var sessions: [String: SessionRecord] = [:]
        /// Tokens issued before this instant are invalid (set by logout-all).
        var notBefore: ContinuousClock.Instant?
    }

    struct UserRecord: Sendable {
        var user: EmulatedUser
        var createdTimestamp: Int64
        var isServiceAccount: Bool
        /// Tokens issued before this instant are invalid (set by a user logout).
        var notBefore: ContinuousClock.Instant?
        var notBeforeEpochSeconds: Int64 = 0
    }

    struct SessionRecord: Sendable {
        var id: String
        var userID: String
        var offline: Bool
        var clientIDs: [String]
        var start: Int64
        var lastAccess: Int64
    }

    struct AccessTokenRecord: Sendable {
        var realm: String
        var userID: String
        var sessionID: String?
        var roles: Set<AdminRole>
        var issuedAt: ContinuousClock.Instant
        var expiresAt: ContinuousClock.Instant
    }

    struct RefreshTokenRecord: Sendable {
        var realm: String
        var clientID: String
        var userID: String
        var sessionID: String
        var offline: Bool
        /// The `scope` the grant asked for, asked again on refresh.
        var scope: String?
        var issuedAt: ContinuousClock.Instant
        var expiresAt: ContinuousClock.Instant?
    }

    var realms: [String: Realm] = [:]
    var accessTokens: [String: AccessTokenRecord] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    /// How many times every access token was revoked at once.
    var revocations = 0
    var issuedAccessTokenCount = 0
    var lastIssuedAccessToken: String?
    /// `token_type` in token responses.
    var tokenType = "Bearer"

    /// How long an online session's refresh token lives (Keycloak's SSO idle default).
    static let refreshLifespan: Duration = .seconds(1800)
}
