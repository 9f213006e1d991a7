import Foundation

/// A token endpoint request: the form fields and the client credentials from either place.
struct TokenRequest: Sendable {
    var form: [String: String]
    /// The `Authorization` header, if any.
    var authorization: String?

    /// Client credentials, per keycloak-behavior.md section 1.
    enum ClientCredentials {
        case credentials(id: String, secret: String?)
        /// No usable client id anywhere: Keycloak answers with a Basic challenge.
        case challenge
    }

    var clientCredentials: ClientCredentials {
        if let authorization, authorization.lowercased().hasPrefix("basic ") {
            if let (id, secret) = Self.parseBasic(authorization.dropFirst(6)) {
                return .credentials(id: id, secret: secret)
            }
            guard let id = form["client_id"] else { return .challenge }
            return .credentials(id: id, secret: form["client_secret"])
        }
        guard let id = form["client_id"], !id.isEmpty else { return .challenge }
        return .credentials(id: id, secret: form["client_secret"])
    }

    /// `base64(urlencode(id):urlencode(secret))`.
    private static func parseBasic(_ encoded: Substring) -> (String, String)? {
        guard let data = Data(base64Encoded: String(encoded.trimmingCharacters(in: .whitespaces))),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2,
            let id = FormFields.value(parts[0]),
            let secret = FormFields.value(parts[1]),
            !id.isEmpty
        else { return nil }
        return (id, secret)
    }
}
