import NIOHTTP1
import Tracing

/// Writes a span's context (`traceparent`, `tracestate`) into a request's headers for a
/// tracer's `inject`.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
