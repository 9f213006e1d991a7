import Foundation
import Synchronization

extension KeycloakEmulator {
    /// A client_credentials access token of `clientID`'s service account, signed now without a
    /// token request (not counted, not valid on the admin API), changed by `adjustments`; none
    /// gives a token just like the token endpoint's. The issuer is ``issuer(realm:)``.
    ///
    /// ```swift
    /// let expired = try await emulator.mintAccessToken(realm: "agents", clientID: "bot", .expired(by: .seconds(120)))
    /// ```
    ///
    /// - Precondition: the server is listening (after ``waitUntilRunning()``).
    public func mintAccessToken(realm: String, clientID: String, _ adjustments: TokenAdjustment...) async throws
        -> String
    {
        try await mintAccessToken(realm: realm, clientID: clientID, adjustments: adjustments)
    }

    /// ``mintAccessToken(realm:clientID:_:)`` with the adjustments as an array.
    public func mintAccessToken(realm: String, clientID: String, adjustments: [TokenAdjustment]) async throws
        -> String
    {
        let issuer = issuer(realm: realm)
        var claims = try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.serviceAccountClaims(realm: realm, clientID: clientID, issuer: issuer)
        }
        let active = await keys.activeSigningKey(realm: realm)
        if directory.withLock({ $0.listsP256Key(realm: realm) }) == true { _ = await keys.p256Key(realm: realm) }
        var signature = TokenSignature.key(active, kid: active.kid)
        var tampered = false
        for adjustment in adjustments {
            switch adjustment {
            case .tamperedPayload:
                tampered = true
            case .unsigned:
                signature = .unsigned
            case .hmacWithPublicKey(let encoding):
                // The active key is always an RSA one.
                signature = .hmac(secret: active.publicKeyBytes(encoding) ?? Data(), kid: active.kid)
            case .keyID(let kid):
                signature = .key(active, kid: kid)
            case .signingKey(let kid):
                guard let key = keys.key(realm: realm, kid: kid) else {
                    throw EmulatorSeedError.unknownKey(realm: realm, kid: kid)
                }
                signature = .key(key, kid: kid)
            case .encryptionKey:
                let key = await keys.encryptionKey(realm: realm)
                signature = .key(key, kid: key.kid)
            default:
                claims.adjust(adjustment)
            }
        }
        let token = try await TokenSigner.sign(claims, signature)
        guard tampered else { return token }
        claims.adjust(.tamperedPayload)
        let forged = try await TokenSigner.sign(claims, signature)
        // The forged payload between the original header and signature.
        let original = token.split(separator: ".", omittingEmptySubsequences: false)
        let changed = forged.split(separator: ".", omittingEmptySubsequences: false)
        return [original[0], changed[1], original[2]].joined(separator: ".")
    }
}
