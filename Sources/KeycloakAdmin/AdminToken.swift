/// A cached admin token and when to stop using it.
///
/// Public only as what ``TokenCache/token()`` returns (measured by the `TokenCacheHit` benchmark).
public struct AdminToken: Sendable {
    /// Which fetch produced it, to drop it after a 401 only if it is still the current one.
    let generation: UInt64
    /// The bearer token.
    public let value: Secret
    /// When the token request was sent: the lifetime counts from there, not from the answer.
    let requestedAt: ContinuousClock.Instant
    let lifetime: Duration
    let refreshAt: ContinuousClock.Instant

    init(generation: UInt64, value: Secret, requestedAt: ContinuousClock.Instant, lifetime: Duration) {
        self.generation = generation
        self.value = value
        self.requestedAt = requestedAt
        self.lifetime = lifetime
        self.refreshAt = requestedAt + Self.usableFor(lifetime)
    }

    /// How long a token of this lifetime is used before a refresh: the lifetime minus a margin of
    /// 15 % of it, at most 30 s (300 s → 270 s, 60 s → 51 s, 1 s → 0.85 s).
    static func usableFor(_ lifetime: Duration) -> Duration {
        let margin = min(.seconds(30), lifetime * 0.15)
        return max(.zero, lifetime - margin)
    }

    /// Before the refresh point: use it without asking for a new one.
    func isFresh(at now: ContinuousClock.Instant) -> Bool {
        now < refreshAt
    }

    /// Not yet expired (with a small allowance for the request's own travel time): still usable
    /// while a refresh is under way or paced.
    func isUsable(at now: ContinuousClock.Instant) -> Bool {
        now < requestedAt + lifetime - min(.seconds(1), lifetime * 0.1)
    }
}
