/// Why an access token was refused: logged at debug level (never with the token), answered
/// with 401 and `error="invalid_token"`.
enum TokenRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLong(bytes: Int)
    case malformed
    case algorithmNotAllowed(String?)
    case missingKeyID
    case unknownIssuer
    /// The issuer's key set does not have the token's `kid`, even after fetching it again.
    case unknownKey
    /// The issuer's keys could not be fetched.
    case keysUnavailable
    case algorithmDiffersFromKey
    case badSignature
    case expired
    case missingExpiry
    case notYetValid
    case issuedInTheFuture
    case wrongAudience
    case notAnAccessToken(String)

    /// The `result` label of `keycloak_mcp_proxy_access_tokens_total`.
    var code: String {
        switch self {
        case .tooLong: "too_long"
        case .malformed: "malformed"
        case .algorithmNotAllowed: "algorithm_not_allowed"
        case .missingKeyID: "missing_kid"
        case .unknownIssuer: "unknown_issuer"
        case .unknownKey: "unknown_key"
        case .keysUnavailable: "keys_unavailable"
        case .algorithmDiffersFromKey: "algorithm_differs_from_key"
        case .badSignature: "bad_signature"
        case .expired: "expired"
        case .missingExpiry: "missing_exp"
        case .notYetValid: "not_yet_valid"
        case .issuedInTheFuture: "issued_in_future"
        case .wrongAudience: "wrong_audience"
        case .notAnAccessToken: "not_an_access_token"
        }
    }

    var description: String {
        switch self {
        case .tooLong(let bytes): "the token is \(bytes) bytes long"
        case .malformed: "the token is not a JWT"
        case .algorithmNotAllowed(let alg): "the algorithm \(alg ?? "(none)") is not accepted"
        case .missingKeyID: "the token names no key (kid)"
        case .unknownIssuer: "the issuer is not one of server.oauth.issuers"
        case .unknownKey: "the issuer's key set has no key with the token's kid"
        case .keysUnavailable: "the issuer's keys could not be fetched"
        case .algorithmDiffersFromKey: "the token's algorithm is not its key's"
        case .badSignature: "the signature does not verify"
        case .expired: "the token has expired"
        case .missingExpiry: "the token has no exp"
        case .notYetValid: "the token is not valid yet (nbf)"
        case .issuedInTheFuture: "the token was issued in the future (iat)"
        case .wrongAudience: "the token's aud does not name server.public_url"
        case .notAnAccessToken(let typ): "the token's typ is \(typ), not Bearer"
        }
    }
}
