public import CoreMetrics
import KeycloakAdmin
import Metrics
import Synchronization

/// What the proxy counts, recorded through the swift-metrics API.
///
/// Every label value comes from the config or from a fixed set (tool names, error codes,
/// policy reasons): never a caller's free text and never a secret.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `keycloak_mcp_proxy_tool_calls_total` | counter | `tenant` (empty when none applies), `tool`, `outcome` (`ok` or the error code) |
/// | `keycloak_mcp_proxy_upstream_request_duration_seconds` | histogram | `tenant`: each admin API call, including a token fetch it waited for |
/// | `keycloak_mcp_proxy_token_fetches_total` | counter | `tenant`, `result` (`ok` or the error code) |
/// | `keycloak_mcp_proxy_upstream_retries_total` | counter | `tenant`: requests sent once more after their connection was closed or reset before the answer |
/// | `keycloak_mcp_proxy_policy_denials_total` | counter | `reason` (e.g. `realm_denied`) |
/// | `keycloak_mcp_proxy_config_reloads_total` | counter | `result` (`success`, `failure`) |
/// | `keycloak_mcp_proxy_config_last_reload_success` | gauge | 1 when the last reload succeeded, 0 when it failed |
/// | `keycloak_mcp_proxy_calls_in_flight` | gauge | `tenant`: calls holding one of its slots |
/// | `keycloak_mcp_proxy_tenant_rejections_total` | counter | `tenant`, `reason` (`overloaded`, `circuit_open`) |
/// | `keycloak_mcp_proxy_circuit_open` | gauge | `tenant`: 1 while its circuit breaker is open or half-open |
/// | `keycloak_mcp_proxy_audit_records_lost_total` | counter | `reason` (`buffer_full`, `write_failed`): audit records not written |
/// | `keycloak_mcp_proxy_jwks_fetches_total` | counter | `issuer`, `result` (`ok`, `failed`): fetches of an issuer's signing keys |
/// | `keycloak_mcp_proxy_access_tokens_total` | counter | `result`: `ok`, or why an agent's access token was refused (e.g. `expired`, `wrong_audience`, `unknown_key`) |
/// | `keycloak_mcp_proxy_spans_dropped_total` | counter | spans never delivered to the trace collector (unreachable, too slow, or the queue was full) |
public struct ProxyMetrics: Sendable {
    /// Metric names, for dashboards and tests.
    public enum Name {
        public static let toolCalls = "keycloak_mcp_proxy_tool_calls_total"
        public static let upstreamDuration = "keycloak_mcp_proxy_upstream_request_duration_seconds"
        public static let tokenFetches = "keycloak_mcp_proxy_token_fetches_total"
        public static let upstreamRetries = "keycloak_mcp_proxy_upstream_retries_total"
        public static let policyDenials = "keycloak_mcp_proxy_policy_denials_total"
        public static let reloads = "keycloak_mcp_proxy_config_reloads_total"
        public static let lastReloadSuccess = "keycloak_mcp_proxy_config_last_reload_success"
        public static let callsInFlight = "keycloak_mcp_proxy_calls_in_flight"
        public static let tenantRejections = "keycloak_mcp_proxy_tenant_rejections_total"
        public static let circuitOpen = "keycloak_mcp_proxy_circuit_open"
        public static let auditRecordsLost = "keycloak_mcp_proxy_audit_records_lost_total"
        public static let jwksFetches = "keycloak_mcp_proxy_jwks_fetches_total"
        public static let accessTokens = "keycloak_mcp_proxy_access_tokens_total"
        public static let spansDropped = "keycloak_mcp_proxy_spans_dropped_total"
    }

    /// nil: whatever `MetricsSystem.bootstrap` installed, looked up at each record.
    private let factory: (any MetricsFactory)?
    /// Tool-call counters already made: one is counted on every call, and making it anew meant
    /// a registry lookup, label checks and an allocation each time.
    private let toolCallCounters = ToolCallCounters()

    private struct ToolCallKey: Hashable {
        var tenant: String
        var tool: String
        var outcome: String
    }

    private final class ToolCallCounters: Sendable {
        let byKey = Mutex<[ToolCallKey: Counter]>([:])
    }

    /// Records into `factory`, whatever the global metrics system is.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    private init(system: Void) {
        self.factory = nil
    }

    /// Records into the factory given to `MetricsSystem.bootstrap` (nothing until then).
    public static let system = ProxyMetrics(system: ())

    var currentFactory: any MetricsFactory { factory ?? MetricsSystem.factory }

    // MARK: - Recording

    func toolCall(tenant: String?, tool: String, outcome: String) {
        let key = ToolCallKey(tenant: tenant ?? "", tool: tool, outcome: outcome)
        let counter = toolCallCounters.byKey.withLock { counters in
            if let counter = counters[key] { return counter }
            // Tenants come and go with reloads: start over rather than grow without bound.
            if counters.count >= 10_000 { counters.removeAll() }
            let counter = Counter(
                label: Name.toolCalls, dimensions: [("tenant", key.tenant), ("tool", tool), ("outcome", outcome)], factory: currentFactory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func tokenFetch(tenant: String, _ event: TokenEvent) {
        let result: String
        switch event {
        case .fetched: result = "ok"
        case .failed(let error, _, _): result = error.code.rawValue
        }
        Counter(label: Name.tokenFetches, dimensions: [("tenant", tenant), ("result", result)], factory: currentFactory).increment()
    }

    func upstreamRetry(tenant: String) {
        Counter(label: Name.upstreamRetries, dimensions: [("tenant", tenant)], factory: currentFactory).increment()
    }

    func policyDenial(reason: String) {
        Counter(label: Name.policyDenials, dimensions: [("reason", reason)], factory: currentFactory).increment()
    }

    func reload(succeeded: Bool) {
        Counter(label: Name.reloads, dimensions: [("result", succeeded ? "success" : "failure")], factory: currentFactory).increment()
        Gauge(label: Name.lastReloadSuccess, factory: currentFactory).record(succeeded ? 1 : 0)
    }

    func auditRecordLost(reason: String) {
        Counter(label: Name.auditRecordsLost, dimensions: [("reason", reason)], factory: currentFactory).increment()
    }

    func tenantRejection(tenant: String, reason: String) {
        Counter(label: Name.tenantRejections, dimensions: [("tenant", tenant), ("reason", reason)], factory: currentFactory).increment()
    }

    /// A fetch of `issuer`'s signing keys succeeded or failed.
    public func jwksFetch(issuer: String, succeeded: Bool) {
        Counter(label: Name.jwksFetches, dimensions: [("issuer", issuer), ("result", succeeded ? "ok" : "failed")], factory: currentFactory)
            .increment()
    }

    /// An agent's access token was accepted (`ok`) or refused for `result`.
    public func accessToken(result: String) {
        Counter(label: Name.accessTokens, dimensions: [("result", result)], factory: currentFactory).increment()
    }

    /// `count` spans were never delivered to the trace collector.
    public func spansDropped(_ count: Int) {
        Counter(label: Name.spansDropped, factory: currentFactory).increment(by: count)
    }
}
