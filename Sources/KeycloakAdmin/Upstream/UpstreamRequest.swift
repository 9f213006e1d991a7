import NIOCore
import NIOHTTP1

/// One request to a tenant's Keycloak: the path (with its query) on the tenant's host, already
/// percent-encoded, its headers and an optional body.
struct UpstreamRequest: Sendable {
    var method: HTTPMethod
    var path: String
    /// The path with its variable parts named (`/admin/realms/{realm}/users/{id}/logout`): the
    /// name of its span, which never carries a user id or a username.
    var template: StaticString
    var headers: HTTPHeaders
    var body: ByteBuffer?
    /// Sending it twice has the effect of sending it once, so it may go again when a reused
    /// connection lost it: a safe method (`GET`, `HEAD`, `OPTIONS`), or a request its maker marks
    /// so. Not `PUT` and `DELETE` by default, though RFC 9110 calls them idempotent: some of
    /// Keycloak's send an e-mail each time.
    let idempotent: Bool

    /// - Parameter idempotent: true for a request that is idempotent in effect although its
    ///   method is not safe (Keycloak's logout of a user, a token request).
    init(
        _ method: HTTPMethod, path: String, template: StaticString, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        idempotent: Bool = false
    ) {
        self.method = method
        self.path = path
        self.template = template
        self.headers = headers
        self.body = body
        self.idempotent = idempotent || [.GET, .HEAD, .OPTIONS].contains(method)
    }
}
