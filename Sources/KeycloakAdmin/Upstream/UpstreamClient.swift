import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Tracing
#if canImport(Glibc)
import Glibc
#endif

/// HTTP to one tenant's Keycloak through one AsyncHTTPClient `HTTPClient`: its connection pool
/// (`pool.max_connections`, `pool.idle_timeout`), connect and request timeouts, the tenant's TLS
/// trust root and client certificate, HTTP/2 where the tenant offers it over TLS.
///
/// The `HTTPClient` is made at the first request, so a tenant that is never called costs no
/// client; ``shutdown()`` shuts it down (an `HTTPClient` must never be dropped without it).
final class UpstreamClient: Sendable {
    /// Largest body read from Keycloak; a user search of 100 users is far below it.
    static let maximumBodySize = 4 << 20
    /// How many times a request that its connection lost is sent in all.
    static let maximumAttempts = 2

    /// `scheme://host[:port]` of the tenant, without a trailing slash.
    let origin: String
    private let configuration: HTTPClient.Configuration
    private let tracer: (any Tracer)?
    /// Host and port of `origin`, for spans.
    private let server: (address: String, port: Int)?
    private let state = Mutex(State.idle)
    private let onRetry: (@Sendable () -> Void)?

    private enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    /// - Parameters:
    ///   - origin: `http(s)://host[:port]`, already checked.
    ///   - tracer: makes a client span of each request (``send(_:timeout:realm:)``) and sends its
    ///     `traceparent`; nil: none.
    ///   - onRetry: called each time a request goes again after its connection lost it before the answer.
    /// - Throws: `invalid_argument` when a TLS file cannot be loaded.
    init(
        origin: String, settings: ConnectionSettings, tracer: (any Tracer)? = nil, onRetry: (@Sendable () -> Void)? = nil
    ) throws(KeycloakError) {
        // Checked for http too: a cert_file without its key_file is a mistake either way.
        let tls = try TLSConfiguration.tenant(settings.tls)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            // The deadline of each request ends with the answer's head; the read timeout bounds
            // the wait for each piece of the body after it (a head, then nothing).
            timeout: .init(connect: TimeAmount(settings.timeouts.connect), read: TimeAmount(settings.timeouts.request)),
            connectionPool: .init(
                idleTimeout: TimeAmount(settings.pool.idleTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: settings.pool.maxConnections),
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        // A refused connection fails the call at once (the breaker counts it), rather than
        // being tried again until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        // The spans are this client's own (``send(_:timeout:realm:)``): AsyncHTTPClient's would
        // carry the full URL, user ids and usernames included. Without this it would take the
        // global tracer (a no-op one) and still make a span per request.
        configuration.tracing.tracer = nil
        self.origin = origin
        self.configuration = configuration
        self.tracer = tracer
        // Parsed only for spans: ten thousand untraced tenants need not pay for it at start-up.
        self.server = tracer == nil ? nil : URL(string: origin).flatMap { url in
            url.host.map { ($0, url.port ?? (url.scheme == "https" ? 443 : 80)) }
        }
        self.onRetry = onRetry
    }

    /// The client, made on first use; nil once shut down.
    private var client: HTTPClient? {
        state.withLock { state in
            switch state {
            case .running(let client):
                return client
            case .shutDown:
                return nil
            case .idle:
                let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
                state = .running(client)
                return client
            }
        }
    }

    /// Sends `request` and reads the whole answer, head and body, within `timeout`; transport
    /// failures become ``KeycloakError``s. Waiting for a pooled connection counts toward the
    /// timeout; one that waits longer than the connect timeout is `tenant_overloaded`.
    ///
    /// An idempotent request that its connection lost before the answer began (closed or reset:
    /// Keycloak, or a load balancer in between, closed a keep-alive connection as the request went
    /// out) goes once more, within the same timeout, unless the call was cancelled.
    /// AsyncHTTPClient does not say whether the connection was a reused one, so a new
    /// connection's loss goes once more too. An answer cut short never goes again.
    ///
    /// With a tracer, the request is a client span named by its method and template
    /// (`POST /admin/realms/{realm}/users/{id}/logout`), a child of the task's
    /// `ServiceContext`, whose `traceparent` Keycloak gets: its attributes are the method, the
    /// template, the realm, the server's address and port and the status; never the path
    /// itself, a query or a header.
    func send(_ request: UpstreamRequest, timeout: Duration, realm: String?) async throws(KeycloakError) -> UpstreamResponse {
        guard let tracer else { return try await sendUntraced(request, timeout: timeout, realm: realm) }
        let span = tracer.startSpan("\(request.method.rawValue) \(request.template)", ofKind: .client)
        defer { span.end() }
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["url.template"] = "\(request.template)"
        if let realm { span.attributes["keycloak.realm"] = realm }
        if let server {
            span.attributes["server.address"] = server.address
            span.attributes["server.port"] = server.port
        }
        var traced = request
        tracer.inject(span.context, into: &traced.headers, using: HTTPHeadersInjector())
        do {
            let response = try await sendUntraced(traced, timeout: timeout, realm: realm)
            span.attributes["http.response.status_code"] = response.status
            if response.status >= 400 {
                span.attributes["error.type"] = String(response.status)
                span.setStatus(SpanStatus(code: .error))
            }
            return response
        } catch {
            span.attributes["error.type"] = error.code.rawValue
            span.setStatus(SpanStatus(code: .error, message: error.code.rawValue))
            throw error
        }
    }

    /// ``send(_:timeout:realm:)`` without a span.
    private func sendUntraced(_ request: UpstreamRequest, timeout: Duration, realm: String?) async throws(KeycloakError) -> UpstreamResponse {
        guard let client else {
            throw KeycloakError(.upstreamUnavailable, "the connection pool of this tenant was closed", realm: realm)
        }
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var outgoing = HTTPClientRequest(url: origin + request.path)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body { outgoing.body = .bytes(body) }
        var attempt = 1
        while true {
            do {
                return try await Self.exchange(client, outgoing, deadline: deadline, within: timeout)
            } catch where Self.isLostBeforeAnswer(error) && request.idempotent && attempt < Self.maximumAttempts
                && !Task.isCancelled && NIODeadline.now() < deadline
            {
                attempt += 1
                onRetry?()
            } catch let error as AnswerCutShort {
                throw KeycloakError.transport(error.cause, realm: realm, timeout: timeout)
            } catch {
                throw KeycloakError.transport(error, realm: realm, timeout: timeout)
            }
        }
    }

    /// The body could not be read whole once the head had come: never sent again.
    private struct AnswerCutShort: Error {
        var cause: any Error
    }

    /// One request and its whole answer. AsyncHTTPClient's `deadline` ends with the answer's
    /// head; the body is bounded by the read timeout (the request timeout, between reads), so a
    /// Keycloak that sends a head and then nothing fails the call.
    private static func exchange(
        _ client: HTTPClient, _ request: HTTPClientRequest, deadline: NIODeadline, within timeout: Duration
    ) async throws -> UpstreamResponse {
        let response = try await client.execute(request, deadline: deadline)
        do {
            let body = try await response.body.collect(upTo: maximumBodySize)
            return UpstreamResponse(status: Int(response.status.code), body: body)
        } catch {
            throw AnswerCutShort(cause: error)
        }
    }

    /// The connection closed or reset before the answer began, or was closing when the request
    /// was handed to it (nothing was sent). Not an ``AnswerCutShort``.
    private static func isLostBeforeAnswer(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? ChannelError, case .ioOnClosedChannel = error { return true }
        if let error = error as? IOError { return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE }
        return false
    }

    /// Shuts the client down, if one was made; requests still in flight fail. Call it once the
    /// calls have drained.
    func shutdown() async {
        let client = state.withLock { state -> HTTPClient? in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }
}
