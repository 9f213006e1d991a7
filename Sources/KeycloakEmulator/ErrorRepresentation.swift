/// Keycloak's error body: `{"error":"…"}`, with `error_description` on the token endpoint.
struct ErrorRepresentation: Encodable, Sendable {
    var error: String
    /// Left out of the body when `nil`.
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}
