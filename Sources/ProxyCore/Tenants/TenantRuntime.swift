public import KeycloakAdmin
public import Logging
import Synchronization
public import Tracing

/// One tenant as it is served: its admin client (connection pool and token), its limit on calls
/// in flight and its circuit breaker.
///
/// A reload keeps the runtime of a tenant whose ``ConnectionSettings`` did not change and gives
/// it the tenant's new config (policy, limits, breaker); any other runtime is retired: it
/// finishes the calls it took, then shuts its HTTP client down (``shutdown()``).
public final class TenantRuntime: Sendable {
    /// The tenant's name in the config.
    public let name: String
    /// The tenant's admin client: its connection pool and cached token.
    public let client: KeycloakAdminClient
    let limiter: CallLimiter
    let breaker: CircuitBreaker
    let lifecycle = RuntimeLifecycle()
    let metrics: ProxyMetrics
    /// Made at the first call, not at startup: a thousand tenants' series would make startup
    /// slow (the registry copies its families on each add) and `/metrics` long.
    private let madeMeters = Mutex<TenantMeters?>(nil)
    private let latest: Mutex<TenantConfig>

    /// Makes the runtime; nothing is sent to Keycloak yet.
    ///
    /// - Parameters:
    ///   - metrics: where calls in flight, rejections and upstream latency are recorded.
    ///   - onTokenEvent: called after every token fetch, with its outcome.
    ///   - tracer: makes a span of each admin request and token fetch; nil: none.
    /// - Throws: `invalid_argument` when the URL, base path, token realm or a TLS file is unusable.
    public init(
        config: TenantConfig, logger: Logger, metrics: ProxyMetrics = .system,
        onTokenEvent: (@Sendable (TokenEvent) -> Void)? = nil, tracer: (any Tracer)? = nil
    ) throws(KeycloakError) {
        self.name = config.name
        self.latest = Mutex(config)
        self.limiter = CallLimiter(limits: config.limits)
        self.breaker = CircuitBreaker(settings: config.breaker)
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "tenant"] = "\(config.name)"
        let name = config.name
        self.client = try KeycloakAdminClient(settings: config.connection, logger: logger, onTokenEvent: onTokenEvent, tracer: tracer) {
            metrics.upstreamRetry(tenant: name)
        }
    }

    /// This tenant's metric handles.
    var meters: TenantMeters {
        madeMeters.withLock { made in
            if let made { return made }
            let meters = metrics.meters(tenant: name)
            made = meters
            return meters
        }
    }

    /// The tenant's config as last applied: the reload that kept this runtime may have changed
    /// its policy, limits and breaker, never its connection settings.
    public var config: TenantConfig {
        latest.withLock { $0 }
    }

    /// Where the runtime is in its life.
    public var phase: Phase { lifecycle.phase }

    /// Calls using this runtime right now, waiting for a slot or talking to Keycloak.
    public var activeCalls: Int { lifecycle.calls }

    /// Calls holding one of its slots (talking to Keycloak) right now.
    public var callsInFlight: Int { limiter.inFlight }

    /// Whether calls fail fast because Keycloak could not be reached.
    public var isCircuitOpen: Bool { breaker.isOpen }

    /// Takes a reloaded config whose connection settings equal this runtime's.
    func update(_ config: TenantConfig) {
        precondition(config.connection == client.settings && config.name == name, "a kept runtime keeps its connection")
        latest.withLock { $0 = config }
        limiter.update(config.limits)
        breaker.update(config.breaker)
    }

    /// Stops taking calls, lets the calls it took finish, then closes the connection pool (after
    /// the token fetch in flight, if any). Safe to call more than once: later callers wait for
    /// the first to finish.
    public func shutdown() async {
        if retire() {
            await closeWhenDrained()
        } else {
            await lifecycle.waitUntilClosed()
        }
    }

    /// Stops serving new calls at once; true for the one caller that must then call
    /// ``closeWhenDrained()``.
    func retire() -> Bool {
        lifecycle.retire()
    }

    /// Waits for the calls that hold the runtime, then shuts the HTTP client down.
    func closeWhenDrained() async {
        await lifecycle.closeWhenDrained {
            try? await client.shutdown()
        }
    }
}
