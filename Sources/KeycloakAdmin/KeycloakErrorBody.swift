/// Keycloak's error body: `{"error":"…","error_description":"…"}` (either may be missing).
struct KeycloakErrorBody: Decodable {
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }

    /// The most specific text: the description, else the error.
    var text: String? { errorDescription ?? error }
}
