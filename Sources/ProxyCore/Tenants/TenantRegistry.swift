public import KeycloakAdmin
public import Logging
public import ServiceLifecycle
import Synchronization
public import Tracing

/// The tenants being served, as an immutable snapshot that is swapped whole.
///
/// ``apply(_:)`` swaps in a new config (a reload); calls that read the old snapshot finish on
/// it. A `Service`: it runs until graceful shutdown, then lets the calls in flight finish and
/// closes every tenant's connection pool.
public final class TenantRegistry: Service, Sendable {
    /// What one call sees: the config and its tenants' runtimes, never half of a reload.
    public final class Snapshot: Sendable {
        public let config: ProxyConfig
        /// Each tenant's config and runtime, by name.
        let served: [String: Served]

        /// A tenant as one call sees it: its config in this snapshot and its runtime, found with
        /// one lookup and held by reference (copying a config retains some twenty strings and
        /// arrays, and releases them after).
        final class Served: Sendable {
            let config: TenantConfig
            let runtime: TenantRuntime

            init(config: TenantConfig, runtime: TenantRuntime) {
                self.config = config
                self.runtime = runtime
            }
        }

        init(config: ProxyConfig, runtimes: [String: TenantRuntime]) {
            self.config = config
            var served = [String: Served](minimumCapacity: config.tenants.count)
            for tenant in config.tenants where served[tenant.name] == nil {
                if let runtime = runtimes[tenant.name] { served[tenant.name] = Served(config: tenant, runtime: runtime) }
            }
            self.served = served
        }

        /// The runtime serving the tenant in this snapshot.
        public func runtime(_ name: String) -> TenantRuntime? { served[name]?.runtime }
    }

    struct State {
        var snapshot: Snapshot
        /// Runtimes being retired: each task lets the runtime's calls finish, then shuts it down.
        var retiring: [UInt64: Task<Void, Never>] = [:]
        var nextRetirement: UInt64 = 0
        var isShutDown = false
    }

    let state: Mutex<State>
    let logger: Logger
    let onTokenEvent: (@Sendable (String, TokenEvent) -> Void)?
    /// Makes the spans of every tenant's admin requests and token fetches; nil: none.
    let tracer: (any Tracer)?
    /// Where the registry, its runtimes and the router record metrics.
    public let metrics: ProxyMetrics

    /// Builds a runtime per tenant. Nothing is sent to any Keycloak yet.
    ///
    /// - Parameters:
    ///   - metrics: where token fetches, calls and calls in flight are recorded.
    ///   - onTokenEvent: called with the tenant's name after every token fetch, besides metrics.
    ///   - tracer: makes a span of each admin request and token fetch (DESIGN.md section 9);
    ///     nil: none.
    public init(
        config: ProxyConfig, logger: Logger, metrics: ProxyMetrics = .system,
        onTokenEvent: (@Sendable (String, TokenEvent) -> Void)? = nil, tracer: (any Tracer)? = nil
    ) throws(KeycloakError) {
        self.logger = logger
        self.metrics = metrics
        self.onTokenEvent = onTokenEvent
        self.tracer = tracer
        var runtimes: [String: TenantRuntime] = [:]
        for tenant in config.tenants {
            do throws(KeycloakError) {
                runtimes[tenant.name] = try Self.makeRuntime(tenant, logger: logger, metrics: metrics, onTokenEvent: onTokenEvent, tracer: tracer)
            } catch {
                let built = Array(runtimes.values)
                Task { for runtime in built { await runtime.shutdown() } }
                throw error
            }
        }
        self.state = Mutex(State(snapshot: Snapshot(config: config, runtimes: runtimes)))
    }

    /// The snapshot to serve one call from.
    public var current: Snapshot {
        state.withLock { $0.snapshot }
    }

    /// Waits for graceful shutdown, then runs ``shutdown()``. Put the registry before the
    /// HTTP server in the `ServiceGroup`: services shut down in reverse order, so the server
    /// stops taking calls first.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops taking new work, lets the calls in flight finish, and closes every tenant's
    /// connection pool, those retired by reloads included.
    public func shutdown() async {
        let (runtimes, retiring) = state.withLock { state in
            state.isShutDown = true
            return (state.snapshot.served.values.map(\.runtime), Array(state.retiring.values))
        }
        await withTaskGroup(of: Void.self) { group in
            for runtime in runtimes {
                group.addTask { await runtime.shutdown() }
            }
            for task in retiring {
                group.addTask { await task.value }
            }
        }
        logger.debug("tenant connection pools closed", metadata: ["tenants": "\(runtimes.count)"])
    }

    /// Waits until every runtime retired so far is closed.
    public func retirementsFinished() async {
        let retiring = state.withLock { Array($0.retiring.values) }
        for task in retiring { await task.value }
    }

    /// Forgets a retirement that has finished.
    func finishedRetirement(_ id: UInt64) {
        _ = state.withLock { $0.retiring.removeValue(forKey: id) }
    }

    static func makeRuntime(
        _ tenant: TenantConfig, logger: Logger, metrics: ProxyMetrics, onTokenEvent: (@Sendable (String, TokenEvent) -> Void)?,
        tracer: (any Tracer)?
    ) throws(KeycloakError) -> TenantRuntime {
        let name = tenant.name
        let hook: @Sendable (TokenEvent) -> Void = { event in
            metrics.tokenFetch(tenant: name, event)
            onTokenEvent?(name, event)
        }
        do {
            return try TenantRuntime(config: tenant, logger: logger, metrics: metrics, onTokenEvent: hook, tracer: tracer)
        } catch {
            throw KeycloakError(error.code, "tenant \(name): \(error.message)")
        }
    }
}
