import Foundation
import JWTKit

/// A JWT's three parts, decoded without checking anything.
struct DecodedJWT {
    var header: [String: Any]
    var payload: [String: Any]
    /// The third part as sent (base64url).
    var signature: String

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw TestFailure("not a JWT: \(token.prefix(40))…") }
        header = try Self.object(parts[0])
        payload = try Self.object(parts[1])
        signature = parts[2]
    }

    private static func object(_ part: String) throws -> [String: Any] {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw TestFailure("not a JSON part: \(part.prefix(40))…") }
        return object
    }
}

/// The claims of a Keycloak access token as a resource server reads them.
struct AgentTokenClaims: JWTPayload {
    struct Roles: Codable, Sendable {
        var roles: [String]
    }

    var iss: String
    var sub: String
    var aud: AudienceClaim?
    var exp: Int?
    var iat: Int
    var nbf: Int?
    var jti: String
    var typ: String
    var azp: String
    var scope: String
    var preferred_username: String
    var client_id: String?
    var realm_access: Roles?
    var resource_access: [String: Roles]?

    /// Signature only: the tests read the times themselves.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A jwt-kit key collection from a JWKS document, without its `use: enc` keys, as a careful
/// resource server builds it.
func signatureKeys(fromJWKS body: String) async throws -> JWTKeyCollection {
    let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    let keys = (object?["keys"] as? [[String: Any]] ?? []).filter { $0["use"] as? String != "enc" }
    let data = try JSONSerialization.data(withJSONObject: ["keys": keys])
    let collection = JWTKeyCollection()
    try await collection.add(jwksJSON: String(decoding: data, as: UTF8.self))
    return collection
}

/// The JWKS entries, by `kid`.
func jwksEntries(_ body: String) -> [String: [String: Any]] {
    let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    let keys = object?["keys"] as? [[String: Any]] ?? []
    return Dictionary(keys.map { ($0["kid"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
}
