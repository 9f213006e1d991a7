import Synchronization
import Tracing

/// One tenant's admin token: fetched once, shared by every call, refreshed before it expires.
///
/// - At most one token request is in flight, however many calls wait for it.
/// - A token is reused until ``AdminToken/refreshAt``; after that, a refresh starts and calls
///   keep using the old token while it is still valid.
/// - A failed fetch is paced: the next one may start only after an exponential backoff (0.5 s
///   doubling up to 30 s); calls meanwhile fail at once with the last error.
///
/// A fresh token is read without entering the actor (from a copy behind a `Mutex`): the hop
/// to the actor and back cost every call two executor switches.
///
/// Public so that its cost can be measured outside the module (the `TokenCacheHit` benchmark);
/// the proxy itself reaches it only through ``KeycloakAdminClient``.
public actor TokenCache {
    /// A token as the token endpoint returned it.
    public struct Fetched: Sendable {
        public var value: Secret
        public var lifetime: Duration
        /// When the token request was sent: the lifetime counts from there.
        public var requestedAt: ContinuousClock.Instant

        public init(value: Secret, lifetime: Duration, requestedAt: ContinuousClock.Instant) {
            self.value = value
            self.lifetime = lifetime
            self.requestedAt = requestedAt
        }
    }

    /// Asks the token endpoint for a new token.
    public typealias Fetcher = @Sendable () async throws(KeycloakError) -> Fetched

    static let initialBackoff: Duration = .milliseconds(500)
    static let maximumBackoff: Duration = .seconds(30)

    private let fetcher: Fetcher
    private let onEvent: (@Sendable (TokenEvent) -> Void)?
    private var current: AdminToken? {
        didSet { published.withLock { $0 = current } }
    }
    /// `current`, readable from outside the actor.
    private nonisolated let published = Mutex<AdminToken?>(nil)
    private var inFlight: Task<Result<AdminToken, KeycloakError>, Never>?
    private var generation: UInt64 = 0
    private var consecutiveFailures = 0
    private var backoffUntil: ContinuousClock.Instant?
    private var lastError: KeycloakError?

    /// A cache that has no token yet: the first ``token()`` calls `fetcher`; `onEvent` hears
    /// of every fetch.
    public init(fetcher: @escaping Fetcher, onEvent: (@Sendable (TokenEvent) -> Void)?) {
        self.fetcher = fetcher
        self.onEvent = onEvent
    }

    /// A token to send now.
    public nonisolated func token() async throws(KeycloakError) -> AdminToken {
        if let token = freshToken() { return token }
        return try await obtain()
    }

    /// The cached token if it is fresh, without waiting; nil when ``token()`` would fetch one
    /// or start a refresh.
    nonisolated func freshToken() -> AdminToken? {
        guard let token = published.withLock({ $0 }), token.isFresh(at: .now) else { return nil }
        return token
    }

    private func obtain() async throws(KeycloakError) -> AdminToken {
        let now = ContinuousClock.now
        if let current, current.isFresh(at: now) { return current }
        let usable = current.flatMap { $0.isUsable(at: now) ? $0 : nil }
        if let inFlight {
            if let usable { return usable }
            return try await inFlight.value.get()
        }
        if let backoffUntil, now < backoffUntil {
            if let usable { return usable }
            if let lastError { throw lastError }
        }
        // A refresh no call waits for belongs to no call's trace (nor outlives its span as a
        // child of it); a fetch the call waits for is part of the call.
        let task = usable == nil
            ? Task { await self.fetch() }
            : ServiceContext.withValue(nil) { Task { await self.fetch() } }
        inFlight = task
        if let usable { return usable }
        return try await task.value.get()
    }

    /// Forgets `token` after Keycloak refused it, unless a newer one already replaced it.
    func invalidate(_ token: AdminToken) {
        if current?.generation == token.generation { current = nil }
    }

    /// Waits for a fetch in flight, so the HTTP client can shut down after it.
    func drain() async {
        _ = await inFlight?.value
    }

    private func fetch() async -> Result<AdminToken, KeycloakError> {
        let started = ContinuousClock.now
        let result: Result<Fetched, KeycloakError>
        do {
            result = .success(try await fetcher())
        } catch {
            result = .failure(error)
        }
        inFlight = nil
        let latency = ContinuousClock.now - started
        switch result {
        case .success(let fetched):
            generation += 1
            let token = AdminToken(
                generation: generation, value: fetched.value, requestedAt: fetched.requestedAt,
                lifetime: fetched.lifetime)
            current = token
            consecutiveFailures = 0
            backoffUntil = nil
            lastError = nil
            onEvent?(.fetched(latency: latency, lifetime: fetched.lifetime))
            return .success(token)
        case .failure(let error):
            consecutiveFailures += 1
            let backoff = Self.backoff(afterFailures: consecutiveFailures)
            backoffUntil = ContinuousClock.now + backoff
            lastError = error
            onEvent?(.failed(error, latency: latency, backoff: backoff))
            return .failure(error)
        }
    }

    /// 0.5 s, 1 s, 2 s, … up to 30 s.
    static func backoff(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 16)
        return min(initialBackoff * (1 << exponent), maximumBackoff)
    }
}
