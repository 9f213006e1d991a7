/// An answer computed under the directory's lock, turned into an HTTP response outside it.
struct EmulatorReply: Sendable {
    var status: Int
    /// The value to send as JSON (encoded outside the lock); `nil` for an empty body.
    var body: (any Encodable & Sendable)?
    /// Extra headers, e.g. `WWW-Authenticate` on the token endpoint.
    var headers: [(String, String)] = []

    static func json(_ status: Int, _ body: some Encodable & Sendable) -> EmulatorReply {
        EmulatorReply(status: status, body: body)
    }

    static func error(_ status: Int, _ error: String, description: String? = nil) -> EmulatorReply {
        .json(status, ErrorRepresentation(error: error, errorDescription: description))
    }

    static let noContent = EmulatorReply(status: 204, body: nil)
    /// Admin API, section 2 of keycloak-behavior.md: no `WWW-Authenticate`.
    static let unauthorized = EmulatorReply.error(401, "HTTP 401 Unauthorized")
    static let forbidden = EmulatorReply.error(403, "HTTP 403 Forbidden")
    static let realmNotFound = EmulatorReply.error(404, "Realm not found.")
    static let userNotFound = EmulatorReply.error(404, "User not found")
    static let methodNotAllowed = EmulatorReply.error(405, "HTTP 405 Method Not Allowed")
    static let notNormalized = EmulatorReply.error(
        400, "missingNormalization", description: "Request path not normalized")

    static func resourceNotFound(fullPath: String) -> EmulatorReply {
        .error(404, "RESTEASY003210: Could not find resource for full path: \(fullPath)")
    }
}
