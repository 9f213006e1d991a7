import CoreMetrics
import Metrics

/// One tenant's per-call metric handles, made once per runtime instead of looked up in the
/// registry on every call: calls in flight, upstream latency, circuit state. A class, so that
/// handing it to a call retains one object, not three.
final class TenantMeters: Sendable {
    let inFlight: Meter
    let upstream: Timer
    let circuit: Gauge

    init(inFlight: Meter, upstream: Timer, circuit: Gauge) {
        self.inFlight = inFlight
        self.upstream = upstream
        self.circuit = circuit
    }

    func upstreamRequest(_ duration: Duration) {
        upstream.record(duration: duration)
    }

    /// Runs one admin API call and records its latency.
    func timed<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
        let started = ContinuousClock.now
        defer { upstreamRequest(ContinuousClock.now - started) }
        return try await body()
    }

    func circuit(open: Bool) {
        circuit.record(open ? 1 : 0)
    }

    func callsInFlight(change: Int) {
        if change > 0 { inFlight.increment(by: Double(change)) } else { inFlight.decrement(by: Double(-change)) }
    }
}

extension ProxyMetrics {
    /// The handles for `tenant`, from the factory in use now.
    func meters(tenant: String) -> TenantMeters {
        let dimensions = [("tenant", tenant)]
        return TenantMeters(
            inFlight: Meter(label: Name.callsInFlight, dimensions: dimensions, factory: currentFactory),
            upstream: Timer(label: Name.upstreamDuration, dimensions: dimensions, factory: currentFactory),
            circuit: Gauge(label: Name.circuitOpen, dimensions: dimensions, factory: currentFactory)
        )
    }
}
