public import KeycloakAdmin

/// How many calls one tenant takes at once (`tenants.NAME.limits`), so that one slow Keycloak
/// cannot hold every caller of the proxy.
///
/// A call takes a slot for as long as it talks to the tenant's Keycloak. When every slot is
/// taken, up to ``maxQueued`` calls wait (each at most the tenant's request timeout) for one to
/// free up; any call beyond that fails at once with `tenant_overloaded`.
public struct TenantLimits: Sendable, Hashable {
    /// Calls talking to this tenant at once.
    public var maxInFlight: Int
    /// Calls waiting for a slot; 0 refuses every call beyond ``maxInFlight`` at once.
    public var maxQueued: Int

    /// Limits as given; the config validator keeps them within 1 (0 for the queue) and ``maximum``.
    public init(maxInFlight: Int, maxQueued: Int) {
        self.maxInFlight = maxInFlight
        self.maxQueued = maxQueued
    }

    /// The defaults for a pool: 4 × `max_connections` in flight (the pool makes the surplus wait
    /// for a connection, at most the connect timeout) and `max_connections` queued.
    public static func defaults(for pool: PoolSettings) -> TenantLimits {
        let connections = max(1, pool.maxConnections)
        return TenantLimits(maxInFlight: 4 * connections, maxQueued: connections)
    }

    /// Largest accepted ``maxInFlight`` and ``maxQueued``.
    public static let maximum = 10_000
}
