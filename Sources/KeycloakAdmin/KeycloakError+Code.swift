extension KeycloakError {
    /// The error codes of DESIGN.md section 3 that one Keycloak can cause.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A caller's realm, id or username cannot be sent (refused before any request).
        case invalidArgument = "invalid_argument"
        /// Keycloak answered 404 "User not found".
        case userNotFound = "user_not_found"
        /// Keycloak answered 404 "Realm not found.".
        case realmNotFound = "realm_not_found"
        /// Keycloak refused the proxy's credentials or its token.
        case upstreamAuthFailed = "upstream_auth_failed"
        /// The proxy's token lacks the roles for this realm.
        case upstreamForbidden = "upstream_forbidden"
        /// Keycloak could not be reached: refused, reset, TLS failure.
        case upstreamUnavailable = "upstream_unavailable"
        /// Keycloak did not answer within the request timeout.
        case upstreamTimeout = "upstream_timeout"
        /// Keycloak answered something unexpected (5xx, unknown body, wrong path).
        case upstreamError = "upstream_error"
        /// Every connection to this Keycloak stayed busy for longer than the connect timeout:
        /// the tenant is saturated, whatever state Keycloak is in.
        case tenantOverloaded = "tenant_overloaded"

        var isRetryableByDefault: Bool {
            switch self {
            case .upstreamUnavailable, .upstreamTimeout, .upstreamError, .tenantOverloaded: true
            default: false
            }
        }
    }
}
