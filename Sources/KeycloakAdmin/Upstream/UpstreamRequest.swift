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
    /// connection lost it (``UpstreamTransportError/staleConnection``). By default, what RFC 9110
    /// says of the method; a `POST` that is idempotent in effect says so itself.
    var idempotent: Bool

    init(_ method: HTTPMethod, path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil, idempotent: Bool? = nil) {
        self.method = method
        self.path = path
        self.idempotent = idempotent ?? Self.isIdempotent(method)
        self.headers = headers
        // Room for the caller's few headers without regrowing.
        self.headers.reserveCapacity(headers.count + 2)
        self.body = body
    }

    private static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS: true
        default: false
        }
    }
}
