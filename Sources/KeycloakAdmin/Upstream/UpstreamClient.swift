import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// HTTP/1.1 to one tenant's Keycloak, on SwiftNIO directly: a pool of keep-alive connections
/// (``UpstreamPool``) and one channel handler per connection (``UpstreamConnection``).
///
/// It does what the admin client needs and no more: requests to one host, whole answers read
/// into memory up to ``maximumBodySize``, no redirects, no HTTP/2, no proxies. Compared with a
/// general-purpose client it saves the per-request state machines and the hops between threads
/// that a streamed response body needs: an exchange is one write and one resumption.
final class UpstreamClient: Sendable {
    /// Largest body read from Keycloak; a user search of 100 users is far below it.
    static let maximumBodySize = 4 << 20

    let endpoint: UpstreamEndpoint
    private let pool: UpstreamPool
    /// Called each time a request goes again after a stale connection lost it.
    private let onRetry: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - endpoint: where `settings.url` points; nil when it is no `http(s)://host[:port]`.
    ///   - onRetry: called each time a request goes again after a stale connection lost it.
    /// - Throws: `invalid_argument` when the URL is unusable or a TLS file cannot be loaded.
    init(settings: ConnectionSettings, endpoint: UpstreamEndpoint?, onRetry: (@Sendable () -> Void)? = nil) throws(KeycloakError) {
        guard let endpoint else {
            throw KeycloakError(.invalidArgument, "url \"\(settings.url)\" is not an http(s) URL with a host")
        }
        // Checked for http too: a cert_file without its key_file is a mistake either way.
        let configuration = try TLSConfiguration.tenant(settings.tls)
        self.endpoint = endpoint
        self.onRetry = onRetry
        let tls: TLSContextCache? =
            if !endpoint.isTLS { nil } else if settings.tls == TLSSettings() { .systemTrust } else { TLSContextCache(configuration) }
        self.pool = UpstreamPool(endpoint: endpoint, settings: settings, tls: tls, group: MultiThreadedEventLoopGroup.singleton)
    }

    /// Sends `request` and reads the whole answer within `timeout`; transport failures become
    /// ``KeycloakError``s. Waiting for a busy pool counts toward the timeout and lasts at most
    /// as long as a connection may take to open.
    ///
    /// An idempotent request that a stale keep-alive connection lost (closed or reset before any
    /// byte of the answer, ``UpstreamTransportError/staleConnection``) goes again on the next
    /// connection the pool gives, within the same timeout, unless the call was cancelled: a
    /// Keycloak or load balancer that closes idle connections about when the pool reuses them
    /// (or drops them all at once) would otherwise fail calls that mostly never reached it. A
    /// stale connection is closed, and a new one never reports stale, so this ends, at the latest
    /// on a new connection; the bound on attempts only makes sure of it.
    func send(_ request: UpstreamRequest, timeout: Duration, realm: String?) async throws(KeycloakError) -> UpstreamResponse {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        do {
            var attempt = 1
            while true {
                do {
                    return try await pool.lease(deadline: deadline).run(request, deadline: deadline)
                } catch UpstreamTransportError.staleConnection
                    where request.idempotent && attempt <= pool.limit && !Task.isCancelled && NIODeadline.now() < deadline
                {
                    attempt += 1
                    onRetry?()
                }
            }
        } catch {
            throw KeycloakError.transport(error, realm: realm, timeout: timeout)
        }
    }

    /// Sends `request` from the calling event loop without a task, when an idle connection of
    /// that loop is free, and calls `completion` there with the answer (or the transport
    /// failure, as ``send(_:timeout:realm:)`` would throw it) within `timeout`. False, having
    /// sent nothing, when no such connection is free. With pipelining (``PoolSettings/pipeline``)
    /// an idempotent request may share a connection of that loop that has room. A stale connection's loss is not retried
    /// here: it comes as `nil` in `completion`, the retry counted, for the caller to go again
    /// through ``send(_:timeout:realm:)``.
    func sendNow(
        _ request: UpstreamRequest, timeout: Duration, realm: String?,
        completion: @escaping (Result<UpstreamResponse, KeycloakError>?) -> Void
    ) -> Bool {
        let pipelined = request.idempotent && pool.pipeline > 1
        guard let connection = pipelined ? pool.pipelinedConnectionOnThisLoop() : pool.idleConnectionOnThisLoop() else { return false }
        let onRetry = self.onRetry
        connection.send(request, deadline: NIODeadline.now() + TimeAmount(timeout), pipelined: pipelined) { result in
            switch result {
            case .success(let response):
                completion(.success(response))
            case .failure(UpstreamTransportError.staleConnection) where request.idempotent:
                onRetry?()
                completion(nil)
            case .failure(let error):
                completion(.failure(KeycloakError.transport(error, realm: realm, timeout: timeout)))
            }
        }
        return true
    }

    /// Closes every connection; requests in flight fail. Call it once the calls have drained.
    func shutdown() async {
        await pool.shutdown()
    }
}
