import Logging
import ProxyCore
import Synchronization

/// Watches swift-otel's span export through its diagnostic log and turns it into what an
/// operator needs: every span that never reached the collector counted in
/// `keycloak_mcp_proxy_spans_dropped_total`, and one warning when an outage begins (and one
/// line when it ends), not one per failed batch.
///
/// swift-otel 1.6 reports its exporter's results only as log lines: `Failed to export batch.`
/// (with `batch_size`), `Spans were dropped this iteration because queue was full` (with
/// `dropped_count`) and `Exported batch.`. The package is pinned to its minor version for that
/// reason, and `TracingTests` fail should the lines change. Its other lines, some of which
/// quote what a client sent, go to the proxy's log at debug level.
final class TraceExportMonitor: Sendable {
    private struct State {
        var failing = false
        var droppedInOutage = 0
    }

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
            dropped(Self.count(metadata["batch_size"]), because: "the collector did not take a batch of spans", error: event.error)
        case "Spans were dropped this iteration because queue was full":
            dropped(Self.count(metadata["dropped_count"]), because: "the span queue was full (the collector is slow or unreachable)", error: nil)
        case "Exported batch.":
            let recovered = state.withLock { state -> Int? in
                guard state.failing else { return nil }
                defer { state = State() }
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

    private func dropped(_ count: Int, because reason: String, error: (any Error)?) {
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
            "trace export failing: \(reason); calls go on, spans are dropped and counted in \(ProxyMetrics.Name.spansDropped) until it recovers",
            metadata: metadata)
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
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]

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
