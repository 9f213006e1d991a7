import Logging
import NIOCore
import NIOHTTP1

/// One request to the token endpoint with the tenant's credentials.
struct TokenFetch: Sendable {
    let upstream: UpstreamClient
    let settings: ConnectionSettings
    let logger: Logger

    func fetch(basePath: String) async throws(KeycloakError) -> TokenCache.Fetched {
        let auth = settings.auth
        let realm = try PathSegment(auth.realm, argument: "auth.realm")
        // A second token is as good as the first, and the first is never used. (With the
        // password grant, Keycloak may count both logins, e.g. as admin-cli sessions.)
        var request = UpstreamRequest(
            .POST, path: basePath + "/realms/" + realm.encoded + "/protocol/openid-connect/token",
            template: "/realms/{realm}/protocol/openid-connect/token", idempotent: true)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = ByteBuffer(string: formBody())
        let requestedAt = ContinuousClock.now
        let response = try await upstream.send(request, timeout: settings.timeouts.request, realm: auth.realm)
        guard response.status == 200 else {
            let error = KeycloakError.tokenEndpoint(response, authRealm: auth.realm, basePath: basePath)
            logger.debug("admin token request failed", metadata: ["error": "\(error)"])
            throw error
        }
        let token = try response.decode(TokenResponse.self, realm: auth.realm)
        if let type = token.tokenType, type.lowercased() != "bearer" {
            throw KeycloakError(
                .upstreamAuthFailed, "the token endpoint issued a \"\(type)\" token; only Bearer tokens work",
                realm: auth.realm, upstreamStatus: response.status)
        }
        guard !token.accessToken.isEmpty else {
            throw KeycloakError(
                .upstreamError, "the token endpoint answered without an access token", realm: auth.realm,
                upstreamStatus: response.status)
        }
        // Sent as a header on every admin request: CR, LF or anything but visible ASCII would
        // end or forge a header, and is no bearer token (RFC 6750).
        guard Self.isHeaderSafe(token.accessToken) else {
            throw KeycloakError(
                .upstreamError, "the token endpoint answered with an access token that holds characters a bearer token cannot have",
                realm: auth.realm, upstreamStatus: response.status)
        }
        let lifetime: Duration = .seconds(max(token.expiresIn ?? 60, 1))
        logger.debug("admin token fetched", metadata: ["realm": "\(auth.realm)", "expires_in": "\(lifetime)"])
        return TokenCache.Fetched(value: Secret(token.accessToken), lifetime: lifetime, requestedAt: requestedAt)
    }

    /// Whether `token` is visible ASCII only (`!` to `~`), as a JWT or any RFC 6750 bearer token is.
    static func isHeaderSafe(_ token: String) -> Bool {
        token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// The form, with client credentials as form fields (`client_secret_post`).
    private func formBody() -> String {
        let auth = settings.auth
        var fields: [(String, String)] = []
        switch auth.grant {
        case .clientCredentials(let secret):
            fields = [("grant_type", "client_credentials"), ("client_id", auth.clientID)]
            fields.append(("client_secret", secret.revealed))
        case .password(let username, let password, let clientSecret):
            fields = [("grant_type", "password"), ("client_id", auth.clientID), ("username", username)]
            fields.append(("password", password.revealed))
            if let clientSecret { fields.append(("client_secret", clientSecret.revealed)) }
        }
        return fields.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }
            .joined(separator: "&")
    }
}
