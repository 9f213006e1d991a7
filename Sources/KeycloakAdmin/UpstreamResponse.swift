import Foundation
import NIOCore
import NIOFoundationCompat

/// Keycloak's answer: status and the whole body.
struct UpstreamResponse: Sendable {
    var status: Int
    var body: ByteBuffer

    /// Keycloak's error text, if the body is its JSON error shape.
    var errorText: String? {
        guard body.readableBytes > 0 else { return nil }
        return (try? JSONDecoder().decode(KeycloakErrorBody.self, from: body))?.text
    }

    /// `RESTEASY003210: Could not find resource for full path`: nothing is served at this path,
    /// usually a wrong base path.
    var isNoSuchResource: Bool {
        status == 404 && (errorText?.hasPrefix("RESTEASY003210") ?? false)
    }

    func decode<T: Decodable>(_ type: T.Type, realm: String?) throws(KeycloakError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw KeycloakError(
                .upstreamError, "Keycloak answered \(status) with a body that is not the expected JSON",
                realm: realm, upstreamStatus: status)
        }
    }
}
