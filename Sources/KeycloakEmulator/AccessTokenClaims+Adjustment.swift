import Foundation

extension AccessTokenClaims {
    /// Applies a claim change of a ``TokenAdjustment``; changes to the signature are the
    /// minter's and leave the claims alone.
    mutating func adjust(_ adjustment: TokenAdjustment) {
        switch adjustment {
        case .expired(let by):
            let lifespan = (exp ?? iat) - iat
            exp = Self.now - Self.seconds(by)
            iat = exp! - lifespan
        case .noExpiry:
            exp = nil
        case .notBefore(let wait):
            nbf = Self.now + Self.seconds(wait)
        case .issuedInFuture(let by):
            let shift = Self.now + Self.seconds(by) - iat
            iat += shift
            exp = exp.map { $0 + shift }
        case .issuer(let issuer):
            iss = issuer
        case .audience(let audience):
            aud = audience
        case .tokenType(let type):
            typ = type
        case .scope(let scope):
            self.scope = scope
        case .oversized(let bytes):
            // Each role adds its quoted name and a comma: 22 bytes.
            let padding = (0..<max(0, bytes / 22)).map { "padding-role-" + String(format: "%06d", $0) }
            realmAccess = Roles(roles: (realmAccess?.roles ?? []) + padding)
        case .tamperedPayload:
            realmAccess = Roles(roles: (realmAccess?.roles ?? []) + ["admin"])
            scope = (scope.split(separator: " ").map(String.init) + ["keycloak-mcp:admin"]).joined(separator: " ")
        case .unsigned, .hmacWithPublicKey, .keyID, .signingKey, .encryptionKey:
            break
        }
    }

    private static var now: Int64 {
        EmulatorDirectory.epochMilliseconds() / 1000
    }

    /// Whole seconds, rounded up.
    private static func seconds(_ duration: Duration) -> Int64 {
        duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0)
    }
}
