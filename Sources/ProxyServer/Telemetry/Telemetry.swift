public import Logging
import OTel
public import ProxyCore
public import ServiceLifecycle
import Synchronization
import Tracing

/// Traces as the config's `telemetry` section asks (DESIGN.md section 9): swift-otel's tracer
/// for the calls, and the service that batches its spans and exports them over OTLP/HTTP
/// (protobuf), off the request path.
///
/// The tracer is handed to the router and the tenants' clients, never installed as the
/// process's global tracer: without `telemetry`, no span is made at all.
public struct Telemetry: Sendable {
    /// For ``ToolRouter`` and ``TenantRegistry``.
    public let tracing: CallTracing
    /// Batches and exports spans; put it in the service group, where graceful shutdown flushes
    /// what is left.
    public let service: any Service

    /// How spans are batched.
    public struct Batching: Sendable {
        /// How long spans wait to be sent with others (swift-otel's default).
        public var scheduleDelay: Duration = .seconds(5)
        /// How long one export may take, the collector's answer included.
        public var exportTimeout: Duration = .seconds(10)
        /// Spans kept while an export is under way or the collector is away; more are dropped
        /// (and counted). A full queue is sent half at a time. swift-otel's 2,048 (512 a
        /// batch) dropped spans at a few thousand calls a second with the collector answering.
        public var maxQueueSize = 8192

        public init() {}
    }

    /// Makes the tracer and its exporter for `settings`; nothing is sent until spans end.
    /// Spans the collector never gets are counted in `metrics`. swift-otel's `OTEL_*`
    /// environment variables (e.g. `OTEL_EXPORTER_OTLP_HEADERS`) apply on top.
    public static func make(
        _ settings: TelemetrySettings, metrics: ProxyMetrics, logger: Logger, batching: Batching = Batching()
    ) throws(ServeError) -> Telemetry {
        let monitor = TraceExportMonitor(endpoint: settings.tracesURL, metrics: metrics, logger: logger)
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(monitor.diagnosticLogger)
        // The monitor needs the exporter's debug lines to see it recover.
        configuration.diagnosticLogLevel = .debug
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        // The ratio is checked (0 to 1) when the config is read.
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.otlpExporter.endpoint = settings.tracesURL
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.timeout = batching.exportTimeout
        configuration.traces.otlpExporter.certificateFilePath = settings.caFile
        configuration.traces.batchSpanProcessor.scheduleDelay = batching.scheduleDelay
        configuration.traces.batchSpanProcessor.exportTimeout = batching.exportTimeout
        configuration.traces.batchSpanProcessor.maxQueueSize = batching.maxQueueSize
        configuration.traces.batchSpanProcessor.maxExportBatchSize = max(1, batching.maxQueueSize / 2)
        do {
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            kept.withLock { $0.append(backend.factory) }
            return Telemetry(tracing: CallTracing(tracer: backend.factory) { $0.otelTraceID }, service: backend.service)
        } catch {
            throw ServeError("telemetry: \(error)")
        }
    }

    /// Every tracer made, for the life of the process. swift-otel 1.6's exporter shuts its HTTP
    /// client down in `deinit` with `syncShutdown()`, which traps on an event loop thread; the
    /// tenants' AsyncHTTPClient configurations hold the tracer, and may let it go on one. A
    /// process makes one tracer (tests a few); its exporter is shut down with the service group.
    private static let kept = Mutex<[any Tracer]>([])
}
