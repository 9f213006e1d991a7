/// One way a token from ``KeycloakEmulator/mintAccessToken(realm:clientID:_:)``
/// differs from what the token endpoint issues: the broken and hostile tokens a resource server
/// must refuse. Several combine; claim changes apply in order, and of the changes to the
/// signature the last one wins.
public enum TokenAdjustment: Sendable, Hashable {
    /// How ``hmacWithPublicKey(_:)`` turns the public key into an HMAC secret.
    public enum PublicKeyEncoding: Sendable, Hashable {
        /// The PEM text, `-----BEGIN PUBLIC KEY-----` and all, as UTF-8.
        case pem
        /// The DER bytes of the SubjectPublicKeyInfo.
        case der
    }

    // Claims.

    /// `exp` this long in the past; `iat` one lifespan before it.
    case expired(by: Duration)
    /// No `exp` claim.
    case noExpiry
    /// `nbf` this far in the future.
    case notBefore(in: Duration)
    /// `iat` (and `exp` with it) this far in the future.
    case issuedInFuture(by: Duration)
    /// Another `iss`.
    case issuer(String)
    /// Another `aud`: one value is written as a string, more as an array, none leaves `aud` out.
    case audience([String])
    /// Another `typ` claim, e.g. `"Refresh"` or `"ID"` (Keycloak's refresh and ID tokens).
    case tokenType(String)
    /// Another `scope`.
    case scope(String)
    /// `realm_access.roles` padded with made-up roles until the payload is about this large.
    case oversized(bytes: Int = 100_000)
    /// After signing, `realm_access.roles` gains `admin` and `scope` gains `keycloak-mcp:admin`;
    /// the signature stays that of the original payload.
    case tamperedPayload

    // Signature.

    /// `alg: none` and no signature.
    case unsigned
    /// HS256 with the realm's active RSA public key as the secret (the algorithm-confusion
    /// attack); the header names that key's `kid`.
    case hmacWithPublicKey(PublicKeyEncoding)
    /// Signed by the active key, but the header names this `kid` (e.g. one no JWKS lists).
    case keyID(String)
    /// Signed by this key of the realm, listed or removed (after
    /// ``KeycloakEmulator/removeSigningKey(realm:kid:)``), RS256 or the ES256 one; the header
    /// names it.
    case signingKey(kid: String)
    /// Signed (RS256) by the realm's `use: enc` key; the header names it. A verifier that does
    /// not skip encryption keys accepts it.
    case encryptionKey
}
