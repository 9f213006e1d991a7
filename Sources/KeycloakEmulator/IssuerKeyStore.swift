import JWTKit
import Synchronization

/// Every realm's keys. A realm's keys are made on first need, so emulators start at once and
/// realms that never issue a token never hold one; RSA keys come as ``IssuerKeyPolicy`` says.
final class IssuerKeyStore: Sendable {
    private struct State {
        var rings: [String: RealmKeyRing] = [:]
        /// RSA keys taken so far: the index of the next shared one.
        var taken = 0
    }

    private let policy: IssuerKeyPolicy
    private let state = Mutex(State())

    init(policy: IssuerKeyPolicy) {
        self.policy = policy
    }

    /// The key that signs the realm's new tokens.
    func activeSigningKey(realm: String) async -> IssuerKey {
        await ensure(realm, existing: { $0.active }, make: { IssuerKey.rsaSigning(await self.rsaKey()) }) {
            $0.activate($1)
        }
    }

    /// The realm's RSA-OAEP key.
    func encryptionKey(realm: String) async -> IssuerKey {
        await ensure(realm, existing: { $0.encryption }, make: { IssuerKey.rsaEncryption(await self.rsaKey()) }) {
            $0.encryption = $1
        }
    }

    /// The realm's ES256 key.
    func p256Key(realm: String) async -> IssuerKey {
        await ensure(realm, existing: { $0.p256 }, make: { IssuerKey.p256Signing() }) { $0.p256 = $1 }
    }

    /// The keys the JWKS lists, made first if need be.
    func listed(realm: String, includingP256: Bool) async -> [IssuerKey] {
        _ = await activeSigningKey(realm: realm)
        _ = await encryptionKey(realm: realm)
        if includingP256 { _ = await p256Key(realm: realm) }
        return state.withLock { $0.rings[realm]?.listed(includingP256: includingP256) ?? [] }
    }

    /// Makes a new active signing key; the old ones stay listed. Returns its `kid`.
    func rotate(realm: String) async -> String {
        _ = await activeSigningKey(realm: realm)
        let key = IssuerKey.rsaSigning(await rsaKey())
        state.withLock { $0.rings[realm, default: RealmKeyRing()].activate(key) }
        return key.kid
    }

    /// Drops an RS256 signing key from the JWKS; returns whether it was listed.
    func remove(realm: String, kid: String) -> Bool {
        state.withLock { $0.rings[realm]?.remove(kid: kid) ?? false }
    }

    /// Any key the realm has had, listed or removed.
    func key(realm: String, kid: String) -> IssuerKey? {
        state.withLock { $0.rings[realm]?.key(kid: kid) }
    }

    /// The realm's keys as they stand, without making any.
    func ring(realm: String) -> RealmKeyRing {
        state.withLock { $0.rings[realm] ?? RealmKeyRing() }
    }

    /// The next RSA key of this emulator.
    private func rsaKey() async -> JWTKit.Insecure.RSA.PrivateKey {
        switch policy {
        case .sharedAcrossEmulators:
            let index = state.withLock { state in
                defer { state.taken += 1 }
                return state.taken
            }
            return await RSAKeySource.shared(index)
        case .unique:
            return await RSAKeySource.fresh()
        }
    }

    /// The key `existing` picks, or a new one from `make` installed by `install`. Two callers
    /// racing on a new realm may both make a key; the first to install it wins.
    private func ensure(
        _ realm: String,
        existing: (RealmKeyRing) -> IssuerKey?,
        make: () async -> IssuerKey,
        install: (inout RealmKeyRing, IssuerKey) -> Void
    ) async -> IssuerKey {
        if let key = state.withLock({ $0.rings[realm].flatMap(existing) }) { return key }
        let fresh = await make()
        return state.withLock { state in
            if let key = state.rings[realm].flatMap(existing) { return key }
            install(&state.rings[realm, default: RealmKeyRing()], fresh)
            return fresh
        }
    }
}
