import Foundation

/// How a token is signed: by a realm key as Keycloak does, or as a forger would.
enum TokenSignature: Sendable {
    /// With this key (RS256 for an RSA key, ES256 for a P-256 one); the header names `kid`.
    case key(IssuerKey, kid: String)
    /// `alg: none` and an empty signature.
    case unsigned
    /// HS256 with these bytes as the secret; the header names `kid` when given.
    case hmac(secret: Data, kid: String?)
}
