import Foundation
import Logging
import MCP

/// Wraps a transport and tracks the requests received and not yet answered, so that after
/// the client closes its end the server can finish answering before it stops
/// (`printf '...' | keycloak-mcp-proxy serve --stdio` gets every answer).
actor DrainingTransport: Transport {
    private let inner: any Transport
    /// Ids of requests received and not answered yet.
    private var pending: Set<String> = []
    private var closed = false
    nonisolated let logger: Logger

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    /// Closes the transport; nothing can be answered after this.
    func disconnect() async {
        closed = true
        await inner.disconnect()
    }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        if let id = Self.responseID(data) { pending.remove(id) }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let upstream = inner
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let task = Task {
            do {
                for try await data in await upstream.receive() {
                    if let id = Self.requestID(data) { self.received(id) }
                    continuation.yield(data)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func received(_ id: String) { pending.insert(id) }

    /// Waits until every request received has been answered, or `timeout` passes; returns at
    /// once when the transport was closed.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !closed && !pending.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    private static func id(_ value: Any?) -> String? {
        switch value {
        case let text as String: "s:" + text
        case let number as NSNumber: "n:\(number)"
        default: nil
        }
    }

    /// The id of a request (it has a method and an id).
    static func requestID(_ data: Data) -> String? {
        guard let object = object(data), object["method"] != nil else { return nil }
        return id(object["id"])
    }

    /// The id of a response (a result or an error, no method).
    static func responseID(_ data: Data) -> String? {
        guard let object = object(data), object["method"] == nil, object["result"] != nil || object["error"] != nil else { return nil }
        return id(object["id"])
    }
}
