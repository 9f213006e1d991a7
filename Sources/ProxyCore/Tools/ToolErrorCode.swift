/// The codes of a failed tool call (`{"error":{"code": ...}}`), as the contract names them.
public enum ToolErrorCode: String, Sendable, Hashable, CaseIterable {
    case invalidArgument = "invalid_argument"
    case unknownTenant = "unknown_tenant"
    case policyDenied = "policy_denied"
    case protectedUser = "protected_user"
    case userNotFound = "user_not_found"
    case realmNotFound = "realm_not_found"
    case upstreamAuthFailed = "upstream_auth_failed"
    case upstreamForbidden = "upstream_forbidden"
    case upstreamUnavailable = "upstream_unavailable"
    case upstreamTimeout = "upstream_timeout"
    case tenantOverloaded = "tenant_overloaded"
    case upstreamError = "upstream_error"
    /// The call needs a person's yes, and this client cannot ask for one.
    case confirmationRequired = "confirmation_required"
    /// The person said no, declined or cancelled.
    case confirmationDeclined = "confirmation_declined"
    /// The retry's confirmation state is used, expired, changed, or for another call.
    case confirmationInvalid = "confirmation_invalid"

    /// Whether the same call may succeed if tried again later.
    public var isRetryable: Bool {
        switch self {
        case .upstreamUnavailable, .upstreamTimeout, .tenantOverloaded, .upstreamError: true
        default: false
        }
    }
}
