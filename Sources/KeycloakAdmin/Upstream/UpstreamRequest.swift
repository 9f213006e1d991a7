import NIOCore
import NIOHTTP1

/// One request to a tenant's Keycloak: the path (with its query) on the tenant's host, already
/// percent-encoded; headers beyond `Host` and `Content-Length` (the wire adds those); an
/// optional body.
struct UpstreamRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    /// Header lines already in wire form (`Name: value\r\n` each), written after `headers`:
    /// an admin request's `Authorization` and `Accept`, rendered once per token.
    var fieldLines: Secret?
    var body: ByteBuffer?
    /// Sending it twice has the effect of sending it once, so it may go again when a stale
    /// connection lost it (``UpstreamTransportError/staleConnection``): a safe method (`GET`,
    /// `HEAD`, `OPTIONS`), or a request its maker marks so. Not `PUT` and `DELETE` by default,
    /// though RFC 9110 calls them idempotent: some of Keycloak's send an e-mail each time.
    let idempotent: Bool

    /// - Parameter idempotent: true for a request that is idempotent in effect although its
    ///   method is not safe (Keycloak's logout of a user, a token request).
    init(
        _ method: HTTPMethod, path: String, headers: HTTPHeaders = [:], fieldLines: Secret? = nil, body: ByteBuffer? = nil,
        idempotent: Bool = false
    ) {
        self.method = method
        self.path = path
        self.idempotent = idempotent || Self.isSafe(method)
        self.headers = headers
        self.fieldLines = fieldLines
        self.body = body
    }

    private static func isSafe(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS: true
        default: false
        }
    }
}
