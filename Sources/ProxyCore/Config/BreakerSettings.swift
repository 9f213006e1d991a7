/// When a tenant's circuit breaker opens and how long it stays open (`tenants.NAME.breaker`).
///
/// After ``failures`` consecutive calls that could not reach Keycloak (`upstream_unavailable`,
/// `upstream_timeout`), calls to the tenant fail at once with `upstream_unavailable` and send
/// nothing. After ``coolDown`` one call goes through as a probe: if Keycloak answers, the
/// circuit closes; if not, it stays open for another ``coolDown``.
public struct BreakerSettings: Sendable, Hashable {
    /// Consecutive connection failures that open the circuit.
    public var failures: Int
    /// How long the circuit stays open before a probe.
    public var coolDown: Duration

    /// The defaults open after 5 consecutive failures for 10 s.
    public init(failures: Int = 5, coolDown: Duration = .seconds(10)) {
        self.failures = failures
        self.coolDown = coolDown
    }
}
