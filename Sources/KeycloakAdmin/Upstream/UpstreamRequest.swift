import NIOCore
import NIOHTTP1

/// One request to a tenant's Keycloak: the path (with its query) on the tenant's host, already
/// percent-encoded; headers beyond `Host` and `Content-Length` (the wire adds those); an
/// optional body.
struct UpstreamRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    var body: ByteBuffer?
    /// Sending it twice has the effect of sending it once, so it may go again when a stale
    /// connection lost it (``UpstreamTransportError/staleConnection``): a safe method (`GET`,
    /// `HEAD`, `OPTIONS`), or a request its maker marks so. Not `PUT` and `DELETE` by default,
    /// though RFC 9110 calls them idempotent: some of Keycloak's send an e-mail each time.
    let idempotent: Bool

    /// - Parameter idempotent: true for a request that is idempotent in effect although its
    ///   method is not safe (Keycloak's logout of a user, a token request).
    init(_ method: HTTPMethod, path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil, idempotent: Bool = false) {
        self.method = method
        self.path = path
        self.idempotent = idempotent || Self.isSafe(method)
        self.headers = headers
        // Room for the caller's few headers without regrowing.
        self.headers.reserveCapacity(headers.count + 2)
        self.body = body
    }

    private static func isSafe(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS: true
        default: false
        }
    }
}
