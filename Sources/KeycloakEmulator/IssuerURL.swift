import Foundation

/// A realm's issuer URL and the endpoints under it.
enum IssuerURL {
    /// `{base}/realms/{realm}`, where `base` is `scheme://host:port` and the prefix; the realm
    /// percent-encoded as one path segment, as Keycloak's URI builder writes it.
    static func issuer(base: String, realm: String) -> String {
        base + "/realms/" + pathSegment(realm)
    }

    /// RFC 3986 `pchar`s stay; everything else, `/` included, is percent-encoded.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? text
    }

    private static let segmentCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
}
