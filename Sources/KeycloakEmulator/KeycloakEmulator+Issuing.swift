import Foundation
import Logging
import Synchronization

extension KeycloakEmulator {
    /// Signs a token the token endpoint granted with the realm's active key, records it, and
    /// builds the answer. Signing happens outside the directory's lock.
    func issue(_ pending: PendingAccessToken) async -> EmulatorReply {
        let key = await keys.activeSigningKey(realm: pending.realm)
        let token: String
        do {
            token = try await TokenSigner.sign(pending.claims, .key(key, kid: key.kid))
        } catch {
            logger.error("signing an access token failed", metadata: ["error": "\(error)"])
            return .error(500, "unknown_error")
        }
        return directory.withLock { $0.complete(pending, token: token) }
    }

    /// `GET {prefix}/realms/{realm}/protocol/openid-connect/certs`: `application/json`, or
    /// `application/jwk-set+json` when the request accepts it (as Keycloak does since
    /// keycloak/keycloak#39110).
    func jwks(realm: String, accept: String?) async -> EmulatorReply {
        guard let p256 = directory.withLock({ $0.listsP256Key(realm: realm) }) else {
            return .error(404, "Realm does not exist")
        }
        let set = JSONWebKeySetRepresentation(keys: await keys.listed(realm: realm, includingP256: p256).map(\.jwk))
        var reply = EmulatorReply.json(200, set)
        if let accept, accept.lowercased().contains("application/jwk-set+json") {
            reply.headers = [("Content-Type", "application/jwk-set+json")]
        }
        return reply
    }
}
