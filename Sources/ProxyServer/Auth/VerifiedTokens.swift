import Crypto
import Foundation
import ProxyCore
import Synchronization

/// Access tokens that passed every check, by the SHA-256 of the token, until they expire: an
/// agent sends the same token for minutes, and checking its signature again each call would
/// cost far more than the call. Cleared whenever an issuer's keys or the OAuth settings change,
/// so a removed key or a new audience applies to the next call. Bounded: at most
/// ``capacity`` tokens, the expired ones dropped first.
final class VerifiedTokens: Sendable {
    static let capacity = 10_000

    private struct Entry {
        var identity: TokenIdentity
        /// `exp` plus the leeway.
        var validUntil: Date
    }

    private let entries = Mutex<[SHA256Digest: Entry]>([:])

    /// The identity of `token` when it was verified and has not expired since.
    func identity(of token: [UInt8], now: Date) -> TokenIdentity? {
        let key = SHA256.hash(data: token)
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.validUntil >= now else {
                entries[key] = nil
                return nil
            }
            return entry.identity
        }
    }

    /// Remembers that `token` is `identity`'s until `validUntil`.
    func remember(_ token: [UInt8], as identity: TokenIdentity, until validUntil: Date, now: Date) {
        let key = SHA256.hash(data: token)
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { $0.value.validUntil >= now }
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(identity: identity, validUntil: validUntil)
        }
    }

    /// Forgets every token: keys or settings changed.
    func clear() {
        entries.withLock { $0.removeAll() }
    }
}
