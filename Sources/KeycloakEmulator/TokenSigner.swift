import Foundation
import JWTKit

/// Signs access tokens with jwt-kit: one key collection per token, holding only the key the
/// ``TokenSignature`` names, so the header can name any `kid` at all.
enum TokenSigner {
    static func sign(_ claims: AccessTokenClaims, _ signature: TokenSignature) async throws -> String {
        let keys = JWTKeyCollection(defaultJWTSerializer: serializer)
        var header = JWTHeader()
        header.typ = "JWT"
        switch signature {
        case .key(let key, let kid):
            switch key.material {
            case .rsa(let rsa): await keys.add(rsa: rsa, digestAlgorithm: .sha256, serializer: serializer)
            case .p256(let p256): await keys.add(ecdsa: p256, serializer: serializer)
            }
            header.kid = kid
        case .unsigned:
            await keys.addUnsecuredNone(serializer: serializer)
        case .hmac(let secret, let kid):
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, serializer: serializer)
            header.kid = kid
        }
        // The collection holds one key and no `kid`: whatever the header names, that key signs.
        return try await keys.sign(claims, header: header)
    }

    /// Sorted keys and unescaped slashes, as every other body the emulator writes.
    private static let serializer = DefaultJWTSerializer(jsonEncoder: EmulatorJSON.encoder)
}
