public import Prometheus

/// The proxy's metrics in Prometheus form: a collector registry that swift-metrics records
/// into, and its text for `GET /metrics`.
///
/// The server makes one at start-up and either installs its ``factory`` globally
/// (`MetricsSystem.bootstrap(prometheus.factory)`, so that libraries' metrics land there too)
/// and gives ``ProxyMetrics/system`` to the registry, or gives ``metrics`` to the registry
/// directly. Either way ``render()`` is the body of `/metrics`.
public struct PrometheusMetrics: Sendable {
    /// Where every metric is kept.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory that records into ``registry``, with the proxy's histogram buckets.
    public let factory: PrometheusMetricsFactory

    /// Buckets of the upstream latency histogram: 5 ms to 30 s.
    public static let upstreamBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// The `Content-Type` of ``render()``'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A factory over `registry` (a new one by default) that gives the upstream latency
    /// histogram ``upstreamBuckets``.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[ProxyMetrics.Name.upstreamDuration] = Self.upstreamBuckets
        self.factory = factory
    }

    /// Records into ``registry`` whatever the global metrics system is.
    public var metrics: ProxyMetrics { ProxyMetrics(factory: factory) }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        registry.emitToString()
    }
}
