import Logging
import ProxyCore
import Synchronization

/// Watches swift-otel's span export through its diagnostic log and turns it into what an
/// operator needs: every span that never reached the collector counted in
/// `keycloak_mcp_proxy_spans_dropped_total`, and one warning when an outage begins (and one
/// line when it ends), not one per failed batch. Spans dropped while exports succeed (more
/// spans than the exporter keeps up with) are no outage: a warning about them at most every
/// ``queueWarningInterval``.
///
/// swift-otel 1.6 reports its exporter's results only as log lines: `Failed to export batch.`
/// (with `batch_size`), `Spans were dropped this iteration because queue was full` (with
/// `dropped_count`), `Partial success` (with `rejected_spans`) and `Exported batch.`. The package is pinned to its minor version for that
/// reason, and `TracingTests` fail should the lines change. Its other lines, some of which
/// quote what a client sent, go to the proxy's log at debug level.
final class TraceExportMonitor: Sendable {
    private struct State {
        var failing = false
        var droppedInOutage = 0
        var lastQueueWarning: ContinuousClock.Instant?
        var droppedSinceQueueWarning = 0
    }

    /// The least time between two warnings about a full queue.
    static let queueWarningInterval: Duration = .seconds(300)

    private let state = Mutex(State())
    private let endpoint: String
    private let metrics: ProxyMetrics
    private let logger: Logger

    init(endpoint: String, metrics: ProxyMetrics, logger: Logger) {
        self.endpoint = endpoint
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "component"] = "otel"
        self.logger = logger
    }

    /// The logger to give swift-otel as its diagnostic logger.
    var diagnosticLogger: Logger {
        Logger(label: "otel") { _ in Handler(monitor: self) }
    }

    func observe(_ event: LogEvent, metadata: Logger.Metadata) {
        switch event.message.description {
        case "Failed to export batch.":
            failed(Self.count(metadata["batch_size"]), error: event.error)
        case "Spans were dropped this iteration because queue was full":
            lostWhileAnswering(Self.count(metadata["dropped_count"]), reason: "more spans than the trace exporter keeps up with (its queue was full)")
        case "Partial success":
            // The collector took the batch but refused some of its spans.
            let rejected = Self.count(metadata["rejected_spans"])
            if rejected > 0 { lostWhileAnswering(rejected, reason: "the collector refused some spans of a batch it took") }
        case "Exported batch.":
            let recovered = state.withLock { state -> Int? in
                guard state.failing else { return nil }
                defer {
                    state.failing = false
                    state.droppedInOutage = 0
                }
                return state.droppedInOutage
            }
            if let recovered {
                logger.info("trace export works again", metadata: ["endpoint": "\(endpoint)", "spans_dropped": "\(recovered)"])
            }
        default:
            var all = metadata
            if let error = event.error { all["error"] = "\(error)" }
            logger.debug("\(event.message)", metadata: all)
        }
    }

    /// A batch the collector did not take (refused, failed, or not answered in time).
    private func failed(_ count: Int, error: (any Error)?) {
        metrics.spansDropped(count)
        let began = state.withLock { state -> Bool in
            state.droppedInOutage += count
            defer { state.failing = true }
            return !state.failing
        }
        guard began else { return }
        var metadata: Logger.Metadata = ["endpoint": "\(endpoint)", "spans_dropped": "\(count)"]
        if let error { metadata["error"] = "\(error)" }
        logger.warning(
            "trace export failing: the collector did not take a batch of spans; calls go on, spans are dropped and counted in \(ProxyMetrics.Name.spansDropped) until it recovers",
            metadata: metadata)
    }

    /// Spans lost while the collector answers (the queue was full, or the collector refused
    /// them): during an outage, part of it; otherwise said at most every
    /// ``queueWarningInterval``.
    private func lostWhileAnswering(_ count: Int, reason: String) {
        metrics.spansDropped(count)
        let now = ContinuousClock.now
        let dropped = state.withLock { state -> Int? in
            if state.failing {
                state.droppedInOutage += count
                return nil
            }
            state.droppedSinceQueueWarning += count
            if let last = state.lastQueueWarning, now - last < Self.queueWarningInterval { return nil }
            defer {
                state.lastQueueWarning = now
                state.droppedSinceQueueWarning = 0
            }
            return state.droppedSinceQueueWarning
        }
        guard let dropped else { return }
        logger.warning(
            "spans dropped: \(reason); counted in \(ProxyMetrics.Name.spansDropped), said again at most every \(Self.queueWarningInterval)",
            metadata: ["endpoint": "\(endpoint)", "spans_dropped": "\(dropped)"])
    }

    private static func count(_ value: Logger.Metadata.Value?) -> Int {
        guard let value else { return 0 }
        switch value {
        case .string(let text): return Int(text) ?? 0
        case .stringConvertible(let convertible): return Int(convertible.description) ?? 0
        default: return 0
        }
    }

    /// Hands swift-otel's log lines to the monitor.
    struct Handler: LogHandler {
        let monitor: TraceExportMonitor
        var metadata: Logger.Metadata = [:]

        /// Always debug: the monitor needs `Exported batch.` to see an outage end. swift-otel
        /// sets its diagnostic logger's level from `OTEL_LOG_LEVEL`, which would blind it; the
        /// lines it passes on go to the proxy's log at its own level.
        var logLevel: Logger.Level {
            get { .debug }
            set {}
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            if let extra = event.metadata { all.merge(extra) { _, new in new } }
            monitor.observe(event, metadata: all)
        }
    }
}
