/// One entry of a realm's JWKS (`{issuer}/protocol/openid-connect/certs`), as Keycloak lists it.
///
/// Keycloak also lists `x5c`, `x5t` and `x5t#S256` (a self-signed certificate per key); the
/// emulator leaves them out.
struct JSONWebKeyRepresentation: Encodable, Sendable {
    var kid: String
    /// `RSA` or `EC`.
    var kty: String
    var alg: String
    /// `sig` or `enc`.
    var use: String
    /// RSA modulus and exponent, base64url.
    var n: String?
    var e: String?
    /// EC curve and point, base64url.
    var crv: String?
    var x: String?
    var y: String?
}

/// `{"keys":[...]}`.
struct JSONWebKeySetRepresentation: Encodable, Sendable {
    var keys: [JSONWebKeyRepresentation]
}
