import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

extension KeycloakError {
    /// A token endpoint answer other than 200.
    static func tokenEndpoint(_ response: UpstreamResponse, authRealm: String, basePath: String) -> KeycloakError {
        let text = response.errorText
        switch response.status {
        case 404 where response.isNoSuchResource:
            return wrongPath(response, realm: authRealm, basePath: basePath)
        case 400, 401, 403, 404:
            let what = response.status == 404
                ? "realm \"\(authRealm)\" that should issue the admin token does not exist"
                : "Keycloak refused the configured admin credentials"
            return KeycloakError(
                .upstreamAuthFailed, what, realm: authRealm, upstreamStatus: response.status, upstreamError: text,
                retryable: false)
        default:
            return KeycloakError(
                .upstreamError, "the token endpoint answered \(response.status)", realm: authRealm,
                upstreamStatus: response.status, upstreamError: text, retryable: response.status >= 500)
        }
    }

    /// An admin API answer that is not the success the call expects.
    static func adminAPI(
        _ response: UpstreamResponse, realm: String, tokenRealm: String, needs permission: AdminPermission,
        basePath: String
    ) -> KeycloakError {
        let text = response.errorText
        let status = response.status
        switch status {
        case 401:
            return KeycloakError(
                .upstreamAuthFailed, "Keycloak refused a freshly issued admin token", realm: realm,
                upstreamStatus: status, upstreamError: text, retryable: false)
        case 403:
            return KeycloakError(
                .upstreamForbidden, forbiddenHint(realm: realm, tokenRealm: tokenRealm, permission: permission),
                realm: realm, upstreamStatus: status, upstreamError: text)
        case 404 where text == "Realm not found.":
            return KeycloakError(
                .realmNotFound, "realm \"\(realm)\" does not exist", realm: realm, upstreamStatus: status,
                upstreamError: text)
        case 404 where text == "User not found":
            return KeycloakError(
                .userNotFound, "no such user in realm \"\(realm)\"", realm: realm, upstreamStatus: status,
                upstreamError: text)
        case 404 where response.isNoSuchResource:
            return wrongPath(response, realm: realm, basePath: basePath)
        case 400 where response.errorText == "Request path not normalized":
            return KeycloakError(
                .invalidArgument, "Keycloak refuses paths containing \"..\" or \"//\", and this realm or id has one",
                realm: realm, upstreamStatus: status, upstreamError: text)
        default:
            return KeycloakError(
                .upstreamError, "Keycloak answered \(status)", realm: realm, upstreamStatus: status,
                upstreamError: text, retryable: status >= 500)
        }
    }

    /// Which role the token lacks, and where it must be granted.
    static func forbiddenHint(realm: String, tokenRealm: String, permission: AdminPermission) -> String {
        if tokenRealm == realm {
            return "the admin token needs the \(permission.rawValue) role of realm \"\(realm)\"'s "
                + "realm-management client"
        }
        if tokenRealm == "master" {
            return "the admin token (from master) needs the \(permission.rawValue) role of master's "
                + "\"\(realm)-realm\" client"
        }
        return "a token issued by realm \"\(tokenRealm)\" cannot act on realm \"\(realm)\"; "
            + "issue it from master or from \"\(realm)\""
    }

    private static func wrongPath(_ response: UpstreamResponse, realm: String, basePath: String) -> KeycloakError {
        KeycloakError(
            .upstreamError,
            "Keycloak serves nothing at this path; check base_path (now \"\(basePath)\"): \"\" for Keycloak 17 "
                + "and later, \"/auth\" for older ones",
            realm: realm, upstreamStatus: response.status, upstreamError: response.errorText, retryable: false)
    }

    /// A request that got no whole HTTP answer, from AsyncHTTPClient's error.
    static func transport(_ error: any Error, realm: String?, timeout: Duration) -> KeycloakError {
        if let error = error as? KeycloakError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return KeycloakError(
                    .upstreamTimeout, "Keycloak did not answer within \(Self.render(timeout))", realm: realm)
            case .connectTimeout, .tlsHandshakeTimeout:
                return KeycloakError(.upstreamUnavailable, "could not connect to Keycloak in time", realm: realm)
            case .getConnectionFromPoolTimeout:
                return KeycloakError(
                    .tenantOverloaded, "every connection to Keycloak stayed busy; too many calls in flight", realm: realm)
            case .remoteConnectionClosed:
                return KeycloakError(.upstreamUnavailable, "Keycloak closed the connection", realm: realm)
            case .alreadyShutdown:
                return KeycloakError(.upstreamUnavailable, "the connection pool of this tenant was closed", realm: realm)
            case .cancelled:
                return KeycloakError(.upstreamUnavailable, "the request was cancelled", realm: realm)
            case .invalidURL, .emptyHost, .emptyScheme:
                return KeycloakError(
                    .invalidArgument, "the tenant's URL cannot be requested (\(error.shortDescription))", realm: realm, retryable: false)
            default:
                // The short form: the long one may quote header values, an admin token's among them.
                return KeycloakError(.upstreamError, "Keycloak's answer could not be read (\(error.shortDescription))", realm: realm)
            }
        }
        if let error = error as? HTTPParserError, case .invalidEOFState = error {
            return KeycloakError(.upstreamUnavailable, "Keycloak closed the connection", realm: realm)
        }
        if error is HTTPParserError {
            return KeycloakError(
                .upstreamError, "Keycloak's answer is not valid HTTP (\(error)); is something else listening at this URL?",
                realm: realm, retryable: false)
        }
        if error is NIOTooManyBytesError {
            return KeycloakError(
                .upstreamError, "Keycloak's answer was larger than \(UpstreamClient.maximumBodySize >> 20) MiB", realm: realm)
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return KeycloakError(.upstreamUnavailable, "TLS with Keycloak failed: \(error)", realm: realm)
        }
        if let error = error as? NIOConnectionError {
            return KeycloakError(.upstreamUnavailable, "could not connect to Keycloak: \(Self.describe(error))", realm: realm)
        }
        if let error = error as? IOError {
            return KeycloakError(.upstreamUnavailable, "connection to Keycloak failed: \(error)", realm: realm)
        }
        if error is CancellationError {
            return KeycloakError(.upstreamUnavailable, "the request was cancelled", realm: realm)
        }
        return KeycloakError(.upstreamUnavailable, "could not reach Keycloak: \(error)", realm: realm)
    }

    /// A connect failure in a few words: the first address's error when several were tried.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return "\(first.error)"
        }
        if let error = error as? NIOConnectionError, let resolution = error.dnsAAAAError ?? error.dnsAError {
            return "the host name did not resolve (\(resolution))"
        }
        return "\(error)"
    }

    static func render(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
