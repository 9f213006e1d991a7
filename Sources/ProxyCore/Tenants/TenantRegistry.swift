public import KeycloakAdmin
public import Logging
public import ServiceLifecycle
import Synchronization

/// The tenants being served, as an immutable snapshot that is swapped whole.
///
/// A `Service`: it runs until graceful shutdown, then closes every tenant's connection pool.
public final class TenantRegistry: Service, Sendable {
    /// What one call sees: the config and its tenants' runtimes, never half of a reload.
    public struct Snapshot: Sendable {
        public let config: ProxyConfig
        public let runtimes: [String: TenantRuntime]

        public func runtime(_ name: String) -> TenantRuntime? { runtimes[name] }
    }

    private let state: Mutex<Snapshot>
    private let logger: Logger

    /// Builds a runtime per tenant. Nothing is sent to any Keycloak yet.
    public init(config: ProxyConfig, logger: Logger, onTokenEvent: (@Sendable (String, TokenEvent) -> Void)? = nil) throws(KeycloakError) {
        var runtimes: [String: TenantRuntime] = [:]
        for tenant in config.tenants {
            let name = tenant.name
            let hook = onTokenEvent.map { hook in { @Sendable (event: TokenEvent) in hook(name, event) } }
            do {
                runtimes[name] = try TenantRuntime(config: tenant, logger: logger, onTokenEvent: hook)
            } catch {
                let built = Array(runtimes.values)
                Task { for runtime in built { await runtime.shutdown() } }
                throw KeycloakError(error.code, "tenant \(name): \(error.message)")
            }
        }
        self.state = Mutex(Snapshot(config: config, runtimes: runtimes))
        self.logger = logger
    }

    /// The snapshot to serve one call from.
    public var current: Snapshot {
        state.withLock { $0 }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Closes every tenant's connection pool.
    public func shutdown() async {
        let runtimes = state.withLock { Array($0.runtimes.values) }
        await withTaskGroup(of: Void.self) { group in
            for runtime in runtimes {
                group.addTask { await runtime.shutdown() }
            }
        }
        logger.debug("tenant connection pools closed", metadata: ["tenants": "\(runtimes.count)"])
    }
}
