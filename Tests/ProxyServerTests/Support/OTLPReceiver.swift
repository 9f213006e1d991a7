import Foundation
import Hummingbird
import Logging
import NIOCore
@testable import OTel
import SwiftProtobuf
import Synchronization

/// An OpenTelemetry collector's OTLP/HTTP traces receiver on loopback: it decodes each
/// `POST /v1/traces` with swift-otel's own protobuf types and keeps the spans.
final class OTLPReceiver: Sendable {
    /// One span as the collector got it.
    struct ReceivedSpan: Sendable {
        var name: String
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var kind: String
        var attributes: [String: String]
        var isError: Bool
        var statusMessage: String
        var serviceName: String?
    }

    private let spans = Mutex<[ReceivedSpan]>([])
    private let exports = Mutex(0)
    private let refusing = Mutex(false)
    private let quota = Mutex<(perExport: Int, rejected: Int)>((0, 0))

    /// While true, each export is answered 500 and its spans are not kept (a collector in
    /// trouble that still answers).
    var failing: Bool {
        get { refusing.withLock { $0 } }
        set { refusing.withLock { $0 = newValue } }
    }

    /// While above zero, each export is taken but up to this many of its spans are refused
    /// with an OTLP partial success (`rejected_spans` and a message), as a collector over its
    /// quota does.
    var rejectingPerExport: Int {
        get { quota.withLock { $0.perExport } }
        set { quota.withLock { $0.perExport = newValue } }
    }

    /// Spans refused by partial successes so far.
    var rejected: Int { quota.withLock { $0.rejected } }

    var received: [ReceivedSpan] { spans.withLock { $0 } }
    var exportCount: Int { exports.withLock { $0 } }

    /// Runs a receiver on 127.0.0.1 for the duration of `body`, which gets its base URL. One
    /// that is not `answering` takes each request and never answers it (a hung collector); one
    /// with a `delay` answers each export that much later (a slow one).
    static func withRunning<T>(
        answering: Bool = true, delay: Duration = .zero, _ body: (OTLPReceiver, String) async throws -> T
    ) async throws -> T {
        let receiver = OTLPReceiver()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            if !answering {
                // Until the receiver stops (cancelled).
                try await Task.sleep(for: .seconds(3600))
            }
            if delay > .zero { try await Task.sleep(for: delay) }
            let bytes = try await request.body.collect(upTo: 16 << 20)
            if receiver.failing { return Response(status: .internalServerError) }
            let message = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: Array(buffer: bytes))
            let refused = receiver.take(message)
            guard refused > 0 else {
                return Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: ResponseBody())
            }
            var answer = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
            answer.partialSuccess.rejectedSpans = Int64(refused)
            answer.partialSuccess.errorMessage = "over the span quota"
            let encoded: [UInt8] = try answer.serializedBytes()
            return Response(
                status: .ok, headers: [.contentType: "application/x-protobuf"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded)))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .critical
        let (port, stream) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { stream.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var ports = port.makeAsyncIterator()
            guard let bound = await ports.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(receiver, "http://127.0.0.1:\(bound)")
        }
    }

    /// Keeps the spans of `message` but those the quota refuses; returns how many it refused.
    private func take(_ message: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest) -> Int {
        var found: [ReceivedSpan] = []
        for resource in message.resourceSpans {
            let service = resource.resource.attributes.first { $0.key == "service.name" }.map { Self.text($0.value) }
            for scope in resource.scopeSpans {
                for span in scope.spans {
                    var attributes: [String: String] = [:]
                    for attribute in span.attributes { attributes[attribute.key] = Self.text(attribute.value) }
                    found.append(
                        ReceivedSpan(
                            name: span.name, traceID: Self.hex(span.traceID), spanID: Self.hex(span.spanID),
                            parentSpanID: Self.hex(span.parentSpanID), kind: "\(span.kind)", attributes: attributes,
                            isError: span.status.code == .error, statusMessage: span.status.message, serviceName: service))
                }
            }
        }
        let refused = quota.withLock { quota in
            let refused = min(quota.perExport, found.count)
            quota.rejected += refused
            return refused
        }
        exports.withLock { $0 += 1 }
        spans.withLock { $0 += found.dropFirst(refused) }
        return refused
    }

    private static func text(_ value: Opentelemetry_Proto_Common_V1_AnyValue) -> String {
        switch value.value {
        case .stringValue(let text)?: text
        case .intValue(let number)?: String(number)
        case .boolValue(let flag)?: String(flag)
        case .doubleValue(let number)?: String(number)
        default: "\(value)"
        }
    }

    private static func hex(_ bytes: Data) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
