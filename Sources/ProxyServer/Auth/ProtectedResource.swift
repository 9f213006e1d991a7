import Foundation
public import ProxyCore

/// The proxy as an OAuth protected resource (RFC 9728): its URL, the issuers it trusts, the
/// scopes its tools need, and what its 401 and 403 answers say.
public struct ProtectedResource: Sendable, Hashable {
    /// `server.public_url`: the resource, and the audience tokens must name.
    public let url: String
    public let oauth: OAuthSettings

    public init(url: String, oauth: OAuthSettings) {
        self.url = url
        self.oauth = oauth
    }

    /// `server.public_url` and `server.oauth` of `config`, when both are set.
    public init?(_ config: ProxyConfig) {
        guard let url = config.server.publicURL, let oauth = config.server.oauth else { return nil }
        self.init(url: url, oauth: oauth)
    }

    /// The path of ``url`` (`/mcp`), under which the metadata is also served.
    var path: String {
        let path = URLComponents(string: url)?.path ?? ""
        return path == "/" ? "" : path
    }

    /// `<origin of public_url>/.well-known/oauth-protected-resource<path of public_url>`.
    var metadataURL: String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        let port = components.port.map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)\(port)/.well-known/oauth-protected-resource\(path)"
    }

    /// The metadata document.
    var metadata: JSONValue {
        var document: [String: JSONValue] = [
            "resource": .string(url),
            "authorization_servers": .array(oauth.issuers.map { .string($0.issuer) }),
            "bearer_methods_supported": ["header"],
            "resource_name": "keycloak-mcp-proxy",
        ]
        if !oauth.scopes.isEmpty { document["scopes_supported"] = .array(oauth.allScopes.map(JSONValue.string)) }
        return .object(document)
    }

    /// `WWW-Authenticate` of a 401: where the metadata is, every scope, and `invalid_token`
    /// when a token was sent and refused.
    func unauthorizedChallenge(invalidToken: Bool) -> String {
        var parameters = ["resource_metadata=\"\(metadataURL)\""]
        if !oauth.scopes.isEmpty { parameters.append("scope=\"\(oauth.allScopes.joined(separator: " "))\"") }
        if invalidToken { parameters.append("error=\"invalid_token\"") }
        return "Bearer " + parameters.joined(separator: ", ")
    }

    /// `WWW-Authenticate` of a 403 for a token without `scope`.
    func insufficientScopeChallenge(_ scope: String) -> String {
        "Bearer error=\"insufficient_scope\", scope=\"\(scope)\", resource_metadata=\"\(metadataURL)\""
    }
}
