import NIOCore
import NIOHTTP1

/// One request to a tenant's Keycloak: the path (with its query) on the tenant's host, already
/// percent-encoded; headers beyond `Host` and `Content-Length`; an optional body.
struct UpstreamRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    var body: ByteBuffer?

    init(_ method: HTTPMethod, path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        // Room for the caller's few headers, `Host` and `Content-Length`, without regrowing.
        self.headers.reserveCapacity(headers.count + 4)
        self.body = body
    }
}
