import Foundation
import Synchronization

extension KeycloakEmulator {
    /// `{url}{basePath}/realms/{realm}`: the `iss` of the realm's tokens, the issuer its
    /// discovery documents name, and what a resource server configures. Tokens from the token
    /// endpoint name the host the request was sent to, so ask the emulator at ``url``.
    ///
    /// - Precondition: the server is listening (after ``waitUntilRunning()``).
    public func issuer(realm: String) -> String {
        IssuerURL.issuer(base: url + configuration.basePath, realm: realm)
    }

    /// The realm's keys; makes them if the realm has not needed them yet.
    public func keyIDs(realm: String) async throws(EmulatorSeedError) -> RealmKeyIDs {
        guard let p256 = directory.withLock({ $0.listsP256Key(realm: realm) }) else { throw .unknownRealm(realm) }
        _ = await keys.listed(realm: realm, includingP256: p256)
        let ring = keys.ring(realm: realm)
        return RealmKeyIDs(
            activeSigning: ring.activeKID ?? "", signing: ring.signing.map(\.kid), encryption: ring.encryption?.kid ?? "",
            ecSigning: p256 ? ring.p256?.kid : nil, removed: ring.removed.map(\.kid))
    }

    /// Makes a new RS256 key the realm's active one: new tokens carry its `kid`, while the old
    /// keys stay in the JWKS until ``removeSigningKey(realm:kid:)``. Returns the new `kid`.
    @discardableResult
    public func rotateSigningKey(realm: String) async throws(EmulatorSeedError) -> String {
        guard directory.withLock({ $0.realms[realm] != nil }) else { throw .unknownRealm(realm) }
        return await keys.rotate(realm: realm)
    }

    /// Drops an RS256 signing key from the realm's JWKS; tokens it signed stop verifying. If it
    /// was the active key, the newest remaining one signs from now on (none left: a new one is
    /// made). The key can still sign minted tokens (``TokenAdjustment/signingKey(kid:)``).
    public func removeSigningKey(realm: String, kid: String) throws(EmulatorSeedError) {
        guard directory.withLock({ $0.realms[realm] != nil }) else { throw .unknownRealm(realm) }
        guard keys.remove(realm: realm, kid: kid) else { throw .unknownKey(realm: realm, kid: kid) }
    }
}
