/// The endpoints the emulator serves, for counting requests and aiming injected faults.
public enum EndpointKind: String, Sendable, Hashable, CaseIterable {
    /// `POST {prefix}/realms/{realm}/protocol/openid-connect/token`
    case token
    /// `POST {prefix}/admin/realms/{realm}/users/{id}/logout`
    case logout
    /// `GET {prefix}/admin/realms/{realm}/users/{id}/sessions`
    case userSessions
    /// `GET {prefix}/admin/realms/{realm}/users/{id}/offline-sessions/{clientUuid}`
    case offlineSessions
    /// `GET {prefix}/admin/realms/{realm}/users/{id}`
    case user
    /// `GET {prefix}/admin/realms/{realm}/users`
    case userSearch
    /// `GET {prefix}/admin/realms/{realm}/users/count`
    case userCount
    /// `DELETE {prefix}/admin/realms/{realm}/sessions/{id}`
    case deleteSession
    /// `POST {prefix}/admin/realms/{realm}/logout-all`
    case logoutAll
    /// `GET {prefix}/realms/{realm}/.well-known/openid-configuration` and
    /// `GET {prefix}/.well-known/oauth-authorization-server/realms/{realm}`
    case discovery
    /// `GET {prefix}/realms/{realm}/protocol/openid-connect/certs`
    case jwks
    /// `POST /v1/traces`: an OpenTelemetry collector's OTLP/HTTP receiver that takes every
    /// batch and keeps nothing (for benchmarks and demos with tracing on).
    case traceExport
    /// Anything else: unknown paths, unnormalised paths.
    case other

    /// Whether this is an admin API endpoint (under `{prefix}/admin/realms`).
    public var isAdmin: Bool {
        switch self {
        case .token, .discovery, .jwks, .traceExport, .other: false
        default: true
        }
    }
}
