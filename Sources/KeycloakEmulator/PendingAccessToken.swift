/// An access token the token endpoint granted under the directory's lock. It is signed outside
/// the lock (jwt-kit signs asynchronously), then recorded with
/// ``EmulatorDirectory/complete(_:token:)``, which builds the response.
struct PendingAccessToken: Sendable {
    var realm: String
    var claims: AccessTokenClaims
    var record: EmulatorDirectory.AccessTokenRecord
    var expiresIn: Int64
    /// The refresh token and its lifetime in seconds, for grants that start a session.
    var refresh: (token: String, expiresIn: Int64)?
    /// ``EmulatorDirectory/revocations`` when granted: a token granted before a revocation is
    /// not recorded, so it never works on the admin API.
    var revocations: Int
}

/// What the token endpoint decided: an answer, or a token to sign first.
enum TokenOutcome: Sendable {
    case reply(EmulatorReply)
    case sign(PendingAccessToken)
}
