import Foundation
import JWTKit

/// One key of a realm as an issuer: listed in its JWKS, and able to sign tokens.
///
/// Keycloak gives every realm an RS256 signing key and an RSA-OAEP encryption key; a realm may
/// add an ES256 signing key. The encryption key never signs a token the emulator issues: only
/// ``TokenAdjustment/encryptionKey`` uses it, to play an issuer whose verifier forgets `use`.
struct IssuerKey: Sendable {
    /// JWK `use`.
    enum Use: String, Sendable {
        case sig
        case enc
    }

    /// The private key.
    enum Material: Sendable {
        case rsa(JWTKit.Insecure.RSA.PrivateKey)
        case p256(ES256PrivateKey)
    }

    /// JWK `kid`, 43 base64url characters as Keycloak's look.
    var kid: String
    var use: Use
    /// JWK `alg`: `RS256`, `RSA-OAEP` or `ES256`.
    var algorithm: String
    var material: Material

    /// An RSA 2048 key for RS256 signatures, under a new `kid`.
    static func rsaSigning(_ key: JWTKit.Insecure.RSA.PrivateKey) -> IssuerKey {
        IssuerKey(kid: newKeyID(), use: .sig, algorithm: "RS256", material: .rsa(key))
    }

    /// An RSA 2048 key listed for encryption (RSA-OAEP), under a new `kid`.
    static func rsaEncryption(_ key: JWTKit.Insecure.RSA.PrivateKey) -> IssuerKey {
        IssuerKey(kid: newKeyID(), use: .enc, algorithm: "RSA-OAEP", material: .rsa(key))
    }

    /// A new P-256 key for ES256 signatures (made in well under a millisecond).
    static func p256Signing() -> IssuerKey {
        IssuerKey(kid: newKeyID(), use: .sig, algorithm: "ES256", material: .p256(ES256PrivateKey()))
    }

    /// The public half as a JWKS entry.
    var jwk: JSONWebKeyRepresentation {
        switch material {
        case .rsa(let key):
            let primitives = try? key.publicKey.getKeyPrimitives()
            return JSONWebKeyRepresentation(
                kid: kid, kty: "RSA", alg: algorithm, use: use.rawValue,
                n: primitives.map { Identifiers.base64URL($0.modulus) },
                e: primitives.map { Identifiers.base64URL($0.publicExponent) })
        case .p256(let key):
            let point = key.publicKey.parameters
            return JSONWebKeyRepresentation(
                kid: kid, kty: "EC", alg: algorithm, use: use.rawValue, crv: "P-256", x: point?.x, y: point?.y)
        }
    }

    /// The public half of an RSA key as an HMAC secret, for the algorithm-confusion token:
    /// its SubjectPublicKeyInfo as PEM text or DER bytes. `nil` for the ES256 key.
    func publicKeyBytes(_ encoding: TokenAdjustment.PublicKeyEncoding) -> Data? {
        guard case .rsa(let key) = material else { return nil }
        switch encoding {
        case .pem: return Data(key.publicKey.pemRepresentation.utf8)
        case .der: return key.publicKey.derRepresentation
        }
    }

    private static func newKeyID() -> String {
        Identifiers.randomBase64URL(bytes: 32)
    }
}
