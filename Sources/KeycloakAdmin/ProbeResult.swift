/// What ``KeycloakAdminClient/probe()`` found out about a tenant.
public enum ProbeResult: Sendable, Hashable, CustomStringConvertible {
    /// A token was issued, valid for `tokenLifetime`.
    case ok(tokenLifetime: Duration)
    /// Keycloak answers under `detected`, not under the configured base path.
    case wrongBasePath(configured: String, detected: String)
    /// No token; the error says why.
    case failed(KeycloakError)

    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// One line for a person running `check --probe`.
    public var description: String {
        switch self {
        case .ok(let lifetime):
            return "ok: token issued, valid for \(lifetime.components.seconds)s"
        case .wrongBasePath(let configured, let detected):
            let serves = detected.isEmpty ? "without the /auth prefix" : "under \(detected)"
            return "wrong base_path: this Keycloak serves \(serves), not under \"\(configured)\": "
                + "set base_path: \"\(detected)\""
        case .failed(let error):
            return "failed: \(error)"
        }
    }
}
